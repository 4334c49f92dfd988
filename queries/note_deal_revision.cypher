// What the deal page's revision takes from the notes of the deal $deal_key: how many
// there are and the latest workspace revision that wrote one (written, withdrawn or
// blanked); notes written before they carried it count as revision 0.
MATCH (n:Note {deal_key: $deal_key})
RETURN count(n) AS notes, max(coalesce(n.changed_rev, 0)) AS rev
