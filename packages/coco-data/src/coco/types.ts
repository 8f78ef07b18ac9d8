import type { Bbox, Segmentation } from '../mask';

/** An entry of COCO's `images`. */
export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
  license?: number;
  flickr_url?: string;
  coco_url?: string;
  date_captured?: string;
}

/** An entry of COCO's `annotations` (instances). `iscrowd` marks regions of many objects (an RLE). */
export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  segmentation: Segmentation;
  area?: number;
  bbox?: Bbox;
  iscrowd?: number;
}

/** An entry of COCO's `categories`. */
export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
}

/** An entry of COCO's `licenses`. */
export interface CocoLicense {
  id: number;
  name?: string;
  url?: string;
}

/** A COCO instances file. */
export interface CocoInstances {
  info?: unknown;
  licenses?: CocoLicense[];
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}
