// Token buckets shared by every API process (api/ratelimit.py): for each row {key, rate
// (tokens per ms), burst, take}, refill the bucket to now (the store's clock, the same
// for every process) and take up to row.take whole tokens, as many as are there (0 to
// only look). Setting b.lock first takes the node's write lock on Neo4j before its
// level is read, so two requests cannot both take the last token (FalkorDB runs writes
// one at a time). A bucket never seen is full. Returns the tokens taken and the level
// left. On Neo4j, timestamp() is the transaction's start: one that waited for the lock
// may be older than the bucket's last update, so time never runs backwards here.
UNWIND $rows AS row
MERGE (b:RateBucket {key: row.key})
SET b.lock = true
WITH row, b, CASE WHEN b.updated > timestamp() THEN b.updated ELSE timestamp() END AS now
WITH row, b, now,
     CASE WHEN b.updated IS NULL THEN toFloat(row.burst)
          WHEN b.tokens + (now - b.updated) * row.rate > row.burst THEN toFloat(row.burst)
          ELSE b.tokens + (now - b.updated) * row.rate END AS level
WITH row, b, now, level, toInteger(floor(level)) AS whole
WITH row, b, now, level, CASE WHEN whole < 0 THEN 0 WHEN whole < row.take THEN whole ELSE row.take END
       AS taken
SET b.tokens = level - taken, b.updated = now
RETURN row.key AS key, taken, b.tokens AS tokens
