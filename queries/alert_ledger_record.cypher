// Record the outcome of one alert e-mail of an ISO week (sent or rejected; pending with
// no claim after a failed attempt, so the next run takes it) and, once sent, the flag
// codes of each deal it carried, which next week's e-mail compares against. MERGE on
// the natural keys keeps a repeated write idempotent.
MERGE (e:AlertEmail {key: $key})
SET e.ws = $workspace, e.kind = $kind, e.recipient = $recipient, e.week = $week,
    e.week_no = $week_no, e.week_key = $week_key, e.flags_key = $flags_key,
    e.message_id = $message_id, e.status = $status, e.detail = $detail,
    e.updated_at = $now, e.sent_at = $sent_at, e.deal_count = $deal_count,
    e.claimed_by = null
WITH e
UNWIND $deals AS d
MERGE (f:AlertDealFlags {key: d.key})
SET f.email_key = $flags_key, f.ws = $workspace, f.owner = $recipient, f.week = $week,
    f.deal_id = d.deal_id, f.deal_name = d.deal_name, f.flag_codes = d.flag_codes
RETURN count(f) AS deals
