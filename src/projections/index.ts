import { acmeProjection } from './acme.projection.js';
import { auditProjection } from './audit.projection.js';
import { catalogProjection } from './catalog.projection.js';
import type { Projection } from './projection.js';
import { renewalProjection } from './renewal.projection.js';
import { sitesProjection } from './sites.projection.js';

export type { Projection } from './projection.js';
export { createProjectionSet, ProjectionTimeoutError, type ProjectionSet, type ProjectionStatus, type ProjectionLogger, type WaitForOptions } from './runner.js';
export { updateAllRecents, updateRecents } from './recents.js';

/** Every read model the service runs. */
export const catalogProjections: Projection[] = [catalogProjection, acmeProjection, renewalProjection, auditProjection, sitesProjection];
