// Every deal id of a workspace: an import of a CRM export finds the deals that the CRM
// has deleted since the previous export (stored, of that CRM, and missing now).
MATCH (d:Deal {ws: $ws})
RETURN d.id AS id
