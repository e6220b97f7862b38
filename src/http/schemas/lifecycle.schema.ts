import { z } from 'zod';
import { MAX_REASON_LENGTH } from '../../domain/certificate/lifecycle-mark.js';

const reason = z
  .string({ error: 'reason is required' })
  .trim()
  .min(1, 'reason is required')
  .max(MAX_REASON_LENGTH, `reason is at most ${MAX_REASON_LENGTH} characters`);

/** Native marks: JSON `{"reason": "...", "actor": "..."}`; the actor names the operator for the audit trail. */
export const markBody = z.strictObject({
  reason,
  actor: z.string().trim().min(1, 'actor must not be empty').max(200, 'actor is at most 200 characters').optional(),
});

/**
 * peter_sslers `mark.json` forms: `action` as peter_sslers names it. Its clients send no reason,
 * so one is optional here (the route records a default); given, it must be a real one.
 */
export const compatMarkForm = <A extends readonly [string, ...string[]]>(actions: A) =>
  z.object({
    action: z.enum(actions, { error: `action must be one of: ${actions.join(', ')}` }),
    reason: reason.optional(),
  });
