import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { ValidationError } from '../domain/shared/errors.js';

export const MAX_UPLOAD_BYTES = 1024 * 1024;

const multerProblem: Record<string, string> = {
  LIMIT_FILE_SIZE: 'is larger than 1 MiB',
  LIMIT_FIELD_VALUE: 'is larger than 1 MiB',
  LIMIT_FILE_COUNT: 'too many files',
  LIMIT_FIELD_COUNT: 'too many fields',
  LIMIT_PART_COUNT: 'too many parts',
  LIMIT_FIELD_KEY: 'field name too long',
};

const parser = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_UPLOAD_BYTES, fieldSize: MAX_UPLOAD_BYTES, files: 8, fields: 8, parts: 16 },
}).any();

declare module 'express-serve-static-core' {
  interface Request {
    /** Form fields of a multipart upload, by name, as bytes (file or text part alike). */
    uploads?: Record<string, Buffer>;
  }
}

/**
 * Multipart form with the named fields only, each at most once, as a file or as a text value
 * (`curl -F field=@file` and `-F field=<file` both work). Anything else is a 400 naming the field.
 */
export function multipartFields(allowed: readonly string[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) {
      next(new ValidationError({ _form: 'expected a multipart/form-data upload' }));
      return;
    }
    parser(req, res, (error: unknown) => {
      if (error instanceof multer.MulterError) {
        next(new ValidationError({ [error.field ?? '_form']: multerProblem[error.code] ?? error.message }));
        return;
      }
      if (error) {
        next(new ValidationError({ _form: 'malformed multipart body' }, undefined, { cause: error }));
        return;
      }
      const uploads: Record<string, Buffer> = {};
      const problems: Record<string, string> = {};
      const parts: [string, Buffer][] = [
        ...((req.files as Express.Multer.File[] | undefined) ?? []).map((f): [string, Buffer] => [f.fieldname, f.buffer]),
        ...Object.entries((req.body ?? {}) as Record<string, string | string[]>).flatMap(([name, value]) =>
          (Array.isArray(value) ? value : [value]).map((v): [string, Buffer] => [name, Buffer.from(v, 'utf8')])),
      ];
      for (const [name, bytes] of parts) {
        if (!allowed.includes(name)) problems[name] = 'unknown field';
        else if (uploads[name]) problems[name] = 'given more than once';
        else uploads[name] = bytes;
      }
      if (Object.keys(problems).length > 0) {
        next(new ValidationError(problems));
        return;
      }
      req.uploads = uploads;
      next();
    });
  };
}
