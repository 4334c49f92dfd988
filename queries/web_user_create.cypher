// Create a user of the web app by e-mail; an existing e-mail is left as it is and
// reported with created = false (the service turns that into a conflict).
MERGE (u:WebUser {email: $email})
ON CREATE SET u.name = $name, u.password_hash = $password_hash, u.roles = $roles,
              u.disabled = false, u.created_at = $now, u.created_by = $by, u.fresh = $now
WITH u, u.fresh = $now AS created
REMOVE u.fresh
RETURN u.email AS email, u.name AS name, u.password_hash AS password_hash,
       u.roles AS roles, u.disabled AS disabled, u.created_at AS created_at, created
