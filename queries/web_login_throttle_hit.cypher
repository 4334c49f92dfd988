// Count one failed sign-in against a throttle key (an account or an address) within a
// window: a window older than $window_ms starts again at one.
MERGE (t:LoginThrottle {key: $key})
SET t.count = CASE WHEN t.started IS NULL OR t.started < $now - $window_ms THEN 1
                   ELSE t.count + 1 END,
    t.started = CASE WHEN t.started IS NULL OR t.started < $now - $window_ms THEN $now
                     ELSE t.started END
RETURN t.count AS count, t.started AS started
