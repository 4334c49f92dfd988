// Record one alert e-mail of an ISO week (status pending, sent or rejected) and, once
// sent, the flag codes of each deal it carried, which next week's e-mail compares
// against. MERGE on the natural keys keeps a repeated write idempotent.
MERGE (e:AlertEmail {ws: $workspace, kind: $kind, recipient: $recipient, week: $week})
SET e.week_no = $week_no, e.message_id = $message_id, e.status = $status,
    e.detail = $detail, e.updated_at = $now, e.sent_at = $sent_at,
    e.deal_count = $deal_count
WITH e
UNWIND $deals AS d
MERGE (f:AlertDealFlags {ws: $workspace, owner: $recipient, week: $week, deal_id: d.deal_id})
SET f.week_no = $week_no, f.deal_name = d.deal_name, f.flag_codes = d.flag_codes
RETURN count(f) AS deals
