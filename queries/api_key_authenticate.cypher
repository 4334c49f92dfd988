// One round trip per request: the key by its sha256 and its workspace's write revision
// (the analysis cache key), so a cached analysis costs a single query.
MATCH (k:ApiKey {hash: $hash})
OPTIONAL MATCH (w:Workspace {ws: k.workspace})
RETURN k.id AS id, k.workspace AS workspace, k.scope AS scope, k.prefix AS prefix,
       k.name AS name, k.created_at AS created_at, k.revoked_at AS revoked_at,
       w.rev AS rev
