// Every user of the web app, by e-mail.
MATCH (u:WebUser)
RETURN u.email AS email, u.name AS name, u.password_hash AS password_hash,
       u.roles AS roles, u.disabled AS disabled, u.created_at AS created_at
ORDER BY email
