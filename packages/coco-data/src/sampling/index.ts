export { squaredDistanceToBackground } from './distance-transform';
export {
  boxFromRle,
  type CornerBox,
  centerMostPoint,
  type Pixel,
  randomExteriorPoints,
  randomInteriorPoints,
} from './points';
export { SeededRandom } from './seeded-random';
