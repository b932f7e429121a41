/* An alert_kv on the store's meta column family. */
#ifndef CB_HUB_ALERT_KV_STORE_H
#define CB_HUB_ALERT_KV_STORE_H

struct store;
struct alert_kv;

/* A kv over s (borrowed: it must outlive the kv); free with
 * alert_kv_free(), which leaves the store open. */
struct alert_kv *alert_kv_store_create(struct store *s);

#endif
