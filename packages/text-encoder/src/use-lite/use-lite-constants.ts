/** USE-lite's vector width. Kept apart from the backend so importing it does not load tfjs. */
export const USE_LITE_DIM = 512;
