export type { CatalogHandler as AcmeHandler, CatalogHandlers as AcmeHandlers } from '../catalog/handler.js';
