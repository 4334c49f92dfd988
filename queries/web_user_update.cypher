// Change a user's roles (JSON map workspace -> role), password hash or disabled flag;
// a null parameter keeps the stored value.
MATCH (u:WebUser {email: $email})
SET u.roles = coalesce($roles, u.roles),
    u.password_hash = coalesce($password_hash, u.password_hash),
    u.disabled = coalesce($disabled, u.disabled),
    u.updated_at = $now, u.updated_by = $by
RETURN u.email AS email, u.name AS name, u.password_hash AS password_hash,
       u.roles AS roles, u.disabled AS disabled, u.created_at AS created_at
