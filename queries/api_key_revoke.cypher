// Revoking twice keeps the first revocation instant; already_revoked tells the caller.
MATCH (k:ApiKey {id: $id})
WITH k, k.revoked_at IS NOT NULL AS already_revoked
SET k.revoked_at = coalesce(k.revoked_at, $at)
RETURN k.id AS id, k.workspace AS workspace, k.scope AS scope, k.prefix AS prefix,
       k.name AS name, k.created_at AS created_at, k.revoked_at AS revoked_at,
       already_revoked
