export { squaredDistanceToBackground } from './distance-transform';
export {
  boxFromRle,
  type CornerBox,
  centerMostPoint,
  jitterBox,
  type Pixel,
  randomExteriorPoints,
  randomInteriorPoints,
} from './points';
export { SeededRandom } from './seeded-random';
