import type { CatalogHandlers } from './handler.js';

/** The chain preference policy and each certificate's selected chain. */
export const chainPreferenceHandlers: CatalogHandlers = {};
