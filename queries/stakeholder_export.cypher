// Everything held about one person (a subject-access export): the record, every
// membership fact, every influence and reporting fact in either direction (with the
// other person's id) and the interactions that list them.
MATCH (s:Stakeholder {key: $key})
OPTIONAL MATCH (s)-[m:MEMBER_FACT]->(d:Deal)
WITH s, collect(CASE WHEN m IS NULL THEN null
                     ELSE [d.id, m.at, m.recorded, m.state] END) AS memberships
OPTIONAL MATCH (s)-[fo:INFLUENCE_FACT]->(to:Stakeholder)
WITH s, memberships, collect(CASE WHEN fo IS NULL THEN null
                                  ELSE [to.id, fo.at, fo.recorded, fo.state] END) AS influences
OPTIONAL MATCH (from:Stakeholder)-[fi:INFLUENCE_FACT]->(s)
WITH s, memberships, influences,
     collect(CASE WHEN fi IS NULL THEN null
                  ELSE [from.id, fi.at, fi.recorded, fi.state] END) AS influenced_by
OPTIONAL MATCH (s)-[ro:REPORTS_FACT]->(manager:Stakeholder)
WITH s, memberships, influences, influenced_by,
     collect(CASE WHEN ro IS NULL THEN null
                  ELSE [manager.id, ro.at, ro.recorded, ro.state] END) AS reports_to
OPTIONAL MATCH (report:Stakeholder)-[ri:REPORTS_FACT]->(s)
WITH s, memberships, influences, influenced_by, reports_to,
     collect(CASE WHEN ri IS NULL THEN null
                  ELSE [report.id, ri.at, ri.recorded, ri.state] END) AS reports
OPTIONAL MATCH (i:Interaction {ws: $ws})
WHERE $id IN i.stakeholder_ids
RETURN properties(s) AS props, memberships, influences, influenced_by, reports_to, reports,
       collect(properties(i)) AS interactions
