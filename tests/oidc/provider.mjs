// A real OpenID provider for tests/auth/test_oidc.py: oidc-provider (OpenID certified),
// configured from the JSON file named by the first argument:
//   {issuer, port, audience, keys: [private JWKs], clients: [{client_id, client_secret,
//    claims, ttl, alg}]}
// Clients get JWT access tokens by client credentials, for the resource (audience) they
// ask for with a resource indicator (RFC 8707); `claims` are added to their tokens.
// Prints "ready" once it listens.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byClient = Object.fromEntries(cfg.clients.map((c) => [c.client_id, c]));

const provider = new Provider(cfg.issuer, {
  jwks: { keys: cfg.keys },
  clients: cfg.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => cfg.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, client) => ({
        scope: 'govflow',
        audience: resource,
        accessTokenTTL: byClient[client.clientId].ttl ?? 600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: byClient[client.clientId].alg ?? 'RS256' } },
      }),
    },
  },
  extraTokenClaims: (ctx, token) => byClient[token.clientId]?.claims ?? {},
});

provider.listen(cfg.port, '127.0.0.1', () => {
  console.log('ready');
});
