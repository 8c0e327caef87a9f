import type { FastifyRequest } from 'fastify';
import { notFound } from './http-error.js';

/** A positive integer id from the path; anything else is simply not found. */
export function idParam(request: FastifyRequest, name = 'id'): number {
  const raw = (request.params as Record<string, string | undefined>)[name];
  const id = raw && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw notFound();
  return id;
}

/** A 1-based page number from the query string, defaulting to 1. */
export function pageParam(request: FastifyRequest): number {
  const raw = (request.query as Record<string, unknown>).page;
  const page = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  return Math.max(1, page);
}
