/* Test plugin built for a future ABI: the collector must refuse it. */
#include <citybrain/plugin.h>

static int
newabi_collect(cb_ctx *ctx)
{
	return 0;
}

/* What an ABI-2 plugin would return; its struct may be larger. */
static const struct {
	struct cb_plugin_info info;
	void (*future_member)(void);
} newabi_info = {
    .info =
        {
            .abi_version = CB_PLUGIN_ABI_VERSION + 1,
            .size = sizeof newabi_info,
            .name = "from-the-future",
            .version = "2.0",
            .collect = newabi_collect,
        },
};

CB_PLUGIN_EXPORT const struct cb_plugin_info *
citybrain_plugin_entry(const struct cb_host_api *host)
{
	return &newabi_info.info;
}
