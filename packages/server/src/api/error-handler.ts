import type { FastifyError, FastifyInstance } from 'fastify';
import { ERROR_CODES, isAppError } from '../lib/app-error.ts';
import { sendEncrypted } from './merchant-api.ts';

/**
 * The only place error bodies are built. Before decryption: plain JSON with Hesabe's texts.
 * After: the same shape, encrypted with the merchant's key. Anything unexpected: a plain 500
 * whose details go only to the log, under the request id the client also receives.
 */
const INVALID_REQUEST = ERROR_CODES.INVALID_REQUEST_DATA;

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (isAppError(err)) {
      if (err.headers) reply.headers(err.headers);
      const body = { status: false, code: err.wireCode, message: err.message, response: err.fields ?? null };
      if (err.status >= 500) request.log.error({ err }, 'request failed');
      if (request.merchantCodec) return sendEncrypted(reply, request.merchantCodec, err.status, body);
      return reply.code(err.status).send(body);
    }
    const status = (err as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Unparseable bodies, wrong content types, oversize payloads: the client's fault, one answer.
      request.log.info({ code: (err as FastifyError).code, status }, 'rejected malformed request');
      return reply.code(status === 413 ? 413 : 400).send({ status: false, code: INVALID_REQUEST.wireCode, message: INVALID_REQUEST.message, response: null });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ message: 'Internal server error occurred' });
  });

  app.setNotFoundHandler((_request, reply) => {
    return reply.code(404).send({ status: false, message: 'Request not found, Please verify the request data', response: null });
  });
}
