/** Who calls an API route: a key of an organisation, never a person. */
export interface ApiKeyPrincipal {
  id: number;
  orgId: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * 'api_key': the route authenticates with `Authorization: Bearer <key>` instead of a session, and
     * its permission must be one granted to API keys (src/permissions/rules.ts).
     */
    auth?: 'api_key';
  }
  interface FastifyRequest {
    /** Set by src/api/plugin.ts on API routes when the request carries a live key. */
    apiKey: ApiKeyPrincipal | null;
  }
}
