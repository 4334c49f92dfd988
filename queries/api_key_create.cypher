// Store a new API key by its sha256; MERGE keeps a repeated write idempotent.
MERGE (k:ApiKey {hash: $hash})
ON CREATE SET k.id = $id, k.workspace = $workspace, k.scope = $scope, k.prefix = $prefix,
              k.name = $name, k.created_at = $created_at
RETURN k.id AS id, k.workspace AS workspace, k.scope AS scope, k.prefix AS prefix,
       k.name AS name, k.created_at AS created_at, k.revoked_at AS revoked_at
