/**
 * What the task text is compared with. Every COCO category is phrased by its name, its plural and the short
 * synonym list below; groups phrase several categories at once ("vehicles", "fruit"); stuff anchors phrase
 * what COCO does not annotate as things (sky, road, trees...). The choice between them is made by text-encoder
 * similarity (see TaskGrounder), never by looking words up here.
 */

/** Extra phrasings per COCO category name, beyond its name and plural. Kept short: a few common words each. */
export const CATEGORY_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  person: [
    'people',
    'persons',
    'man',
    'men',
    'woman',
    'women',
    'child',
    'children',
    'kid',
    'pedestrian',
    'human',
    'crowd',
  ],
  bicycle: ['bike', 'cycle'],
  car: ['automobile', 'auto', 'taxi', 'cab'],
  motorcycle: ['motorbike', 'scooter', 'moped'],
  airplane: ['plane', 'aeroplane', 'aircraft', 'jet', 'airliner'],
  bus: ['coach bus', 'minibus'],
  train: ['locomotive', 'tram', 'railway carriage'],
  truck: ['lorry', 'pickup truck'],
  boat: ['ship', 'sailboat', 'canoe', 'yacht'],
  'traffic light': ['traffic signal', 'stoplight'],
  'fire hydrant': ['hydrant'],
  'parking meter': ['meter'],
  bench: ['park bench'],
  bird: ['pigeon', 'seagull', 'duck'],
  cat: ['kitten', 'kitty'],
  dog: ['pooch', 'puppy', 'doggy', 'hound'],
  horse: ['pony', 'foal'],
  sheep: ['lamb', 'ram'],
  cow: ['cattle', 'calf', 'bull'],
  bear: ['grizzly bear', 'polar bear'],
  backpack: ['rucksack', 'knapsack'],
  umbrella: ['parasol'],
  handbag: ['purse', 'bag'],
  tie: ['necktie'],
  suitcase: ['luggage', 'baggage'],
  frisbee: ['flying disc'],
  skis: ['ski'],
  'sports ball': ['ball', 'football', 'soccer ball', 'basketball', 'tennis ball'],
  'tennis racket': ['racquet'],
  bottle: ['water bottle'],
  'wine glass': ['glass', 'wineglass'],
  cup: ['mug', 'coffee cup'],
  knife: ['blade'],
  bowl: ['dish'],
  sandwich: ['burger'],
  donut: ['doughnut'],
  'hot dog': ['hotdog', 'sausage'],
  cake: ['cupcake'],
  couch: ['sofa'],
  'potted plant': ['houseplant', 'plant', 'flowerpot'],
  'dining table': ['table'],
  tv: ['television', 'monitor', 'screen'],
  laptop: ['notebook computer', 'notebook'],
  mouse: ['computer mouse'],
  remote: ['remote control'],
  keyboard: ['computer keyboard'],
  'cell phone': ['mobile phone', 'smartphone', 'phone', 'cellphone'],
  refrigerator: ['fridge'],
  oven: ['stove'],
  book: ['novel'],
  'teddy bear': ['teddy', 'stuffed animal'],
  'hair drier': ['hair dryer', 'hairdryer', 'blow dryer'],
};

/**
 * Synonyms whose plural is not the regular one or that have none: TaskGrounder adds a regular plural beside
 * every other synonym ("puppy" → "puppies"), since a plural task is nearer a plural phrasing.
 */
export const UNINFLECTED_SYNONYMS: readonly string[] =
  'people persons man men woman women child children cattle calf luggage baggage aircraft'.split(' ');

/**
 * Phrasings that select several categories: a COCO supercategory (by name) or an explicit list. COCO's "food"
 * mixes fruit and dishes, so "fruit" and "vegetables" are groups of their own.
 */
export interface CategoryGroup {
  phrasings: readonly string[];
  supercategories?: readonly string[];
  categories?: readonly string[];
}

export const CATEGORY_GROUPS: readonly CategoryGroup[] = [
  { phrasings: ['vehicle', 'vehicles', 'transport'], supercategories: ['vehicle'] },
  { phrasings: ['animal', 'animals'], supercategories: ['animal'] },
  { phrasings: ['fruit', 'fruits'], categories: ['banana', 'apple', 'orange'] },
  { phrasings: ['vegetable', 'vegetables', 'veggies'], categories: ['broccoli', 'carrot'] },
  { phrasings: ['food', 'meal'], supercategories: ['food'] },
  { phrasings: ['furniture'], supercategories: ['furniture'] },
  { phrasings: ['kitchenware', 'utensils', 'tableware'], supercategories: ['kitchen'] },
  { phrasings: ['cutlery', 'silverware'], categories: ['fork', 'knife', 'spoon'] },
  { phrasings: ['electronics', 'electronic devices', 'gadgets'], supercategories: ['electronic'] },
  { phrasings: ['sports equipment', 'sports gear', 'sporting goods'], supercategories: ['sports'] },
  { phrasings: ['accessories'], supercategories: ['accessory'] },
  { phrasings: ['appliances', 'kitchen appliances'], supercategories: ['appliance'] },
  { phrasings: ['outdoor objects', 'street objects'], supercategories: ['outdoor'] },
  { phrasings: ['indoor objects', 'household items'], supercategories: ['indoor'] },
  { phrasings: ['pets'], categories: ['cat', 'dog'] },
];

/**
 * COCO-stuff class names (and a few common things COCO does not annotate) that a task may name instead of a
 * category; TaskGrounder adds their plurals. A text is grounded only when its best category phrasing beats the
 * best of these by a margin. Stuff classes that COCO things cover (table, fruit, vegetable, food, furniture,
 * plant) are left out.
 */
export const STUFF_ANCHORS: readonly string[] = `
  sky, cloud, road, street, pavement, grass, wall, tree, bush, leaves, branch, water, sea, river, waterdrops,
  floor, ceiling, building, skyscraper, house, roof, mountain, hill, sand, snow, dirt, mud, gravel, ground,
  rock, stone, tile, fence, railing, window, door, curtain, carpet, rug, mat, stairs, bridge, playing field,
  railroad, platform, mirror, shelf, cabinet, cupboard, counter, desk, pillow, blanket, towel, napkin, cloth,
  clothes, textile, paper, cardboard, banner, tent, net, cage, light, flower, moss, straw, fog, wood, metal,
  plastic, salad, shoe, hat, shirt, jacket, sign, pole, box, basket
`
  .split(',')
  .map((anchor) => anchor.trim());
