/* citybrain: the operator console (interactive) and its script forms. */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "tui/api.h"
#include "tui/app.h"
#include "tui/cli.h"
#include "tui/cli-case.h"
#include "tui/cli-worker.h"
#include "tui/term.h"

/* The hub's socket when neither --socket nor CITYBRAIN_SOCKET says. */
/* The hub's own default (hub/hub-config.c): CB_RUNSTATEDIR from
 * configure's runstatedir. */
#define CB_DEFAULT_SOCKET CB_RUNSTATEDIR "/citybraind.sock"

static const char usage_text[] =
    "Usage: citybrain [OPTIONS] [COMMAND]\n"
    "The citybrain operator console.  Without a command it runs full screen.\n"
    "\n"
    "Commands (for scripts):\n"
    "  overview --once [--json]     the district overview, printed once\n"
    "  alerts [--json] [--state S] [--severity S] [--code C]\n"
    "                               active alerts (comma lists)\n"
    "  ack ID -m TEXT [--expires D] acknowledge an alert\n"
    "  audit verify [--json]        check the audit log's hash chain\n"
    "  whoami [--json]              who the hub thinks you are\n"
    "  handover [--json]            the shift handover note: what fired,\n"
    "                               what is open, acks expiring, overdue\n"
    "  handover sign -m TEXT        sign it as the outgoing operator\n"
    "  handover ack ID [-m TEXT]    acknowledge it as the incoming one\n"
    "  quality --once [--json]      data-quality check: exit 1 on metrics\n"
    "                               never seen or stale, blind rules\n"
    "  worker enrol NAME --grid CODE[,CODE] [--display NAME] [--page-url URL]\n"
    "                               enrol a grid worker: a one-time code,\n"
    "                               as text and as a QR code\n"
    "  worker revoke NAME           stop a grid worker's device token\n"
    "  workers [--json]             grid workers, tasks, last check-in\n"
    "  alert ID [--json]            an alert and its field reports' photos\n"
    "  alert ID --photo N -o FILE   download photo N of an alert\n"
    "  case new [--category C] --grid CODE|--address TEXT --text TEXT\n"
    "           [--source S]        a case: routed by its category, else\n"
    "                               queued for the dispatch desk\n"
    "  cases [--queue] [--json]     cases (--queue: the dispatch queue)\n"
    "  report [--since 7d] [--by dept|subdistrict|rule] [--json|--csv]\n"
    "                               how dispatches were answered: times to\n"
    "                               acknowledge and resolve, in time, overdue\n"
    "  (overview, alerts, map, ... without --once/--json opens that screen)\n"
    "\n"
    "Options:\n"
    "  -S, --socket PATH    hub unix socket (CITYBRAIN_SOCKET; else this\n"
    "                       user's $XDG_RUNTIME_DIR/citybrain-UID/\n"
    "                       citybraind.sock if there, else\n"
    "                       " CB_DEFAULT_SOCKET ")\n"
    "  -H, --hub URL        hub over TCP, e.g. http://10.0.0.5:8428\n"
    "                       (CITYBRAIN_HUB); token from CITYBRAIN_TOKEN or\n"
    "  -T, --token-file F   a file holding the bearer token\n"
    "  -d, --delay SECS     refresh interval (default 2; 0.5, 5s, 1m)\n"
    "  -s, --screen NAME    start screen (overview, territory, grid,\n"
    "                       alerts, map, systems, quality, audit,\n"
    "                       reports)\n"
    "      --no-color       no colours (also NO_COLOR=1)\n"
    "      --ascii          ASCII drawing even in a UTF-8 locale\n"
    "      --spark STYLE    sparklines: braille, block or ascii\n"
    "      --bell SEVS      ring the bell on a new alert of these severities\n"
    "                       (default high; off)\n"
    "      --flash SEVS     flash the header on a new alert of these\n"
    "                       (default high; off)\n"
    "  -q, --quiet          less logging;  -v, --verbose  more\n"
    "  -h, --help           this help;     -V, --version  the version\n";

static void __attribute__((noreturn)) usage(FILE *f, int status)
{
	fputs(usage_text, f);
	exit(status);
}

/* Read a token file: the first line, trimmed; caller frees. */
static char *
read_token(const char *path)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "citybrain: %s: cannot read the token file\n",
		    path);
		exit(1);
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
	                    line[n - 1] == ' '))
		line[--n] = '\0';
	return xstrdup(line);
}

/*
 * The socket: the flag, the environment, this user's own link (the demo,
 * tools/demo, links its hub at ${XDG_RUNTIME_DIR:-/tmp}/citybrain-UID/
 * citybraind.sock), the system default.  *own is set to a string the
 * caller frees when the user's link is used.
 */
static const char *
find_socket(const char *flag, char **own)
{
	const char *env = getenv("CITYBRAIN_SOCKET");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	char *link;

	*own = NULL;
	if (flag != NULL)
		return flag;
	if (env != NULL && *env != '\0')
		return env;
	link = xasprintf("%s/citybrain-%u/citybraind.sock",
	    rt != NULL && *rt != '\0' ? rt : "/tmp", (unsigned)getuid());
	if (stat(link, &st) == 0 && S_ISSOCK(st.st_mode)) {
		*own = link;
		return link;
	}
	free(link);
	return CB_DEFAULT_SOCKET;
}

enum {
	OPT_NO_COLOR = 256,
	OPT_ASCII,
	OPT_SPARK,
	OPT_ONCE,
	OPT_JSON,
	OPT_STATE,
	OPT_SEVERITY,
	OPT_CODE,
	OPT_EXPIRES,
	OPT_GRID,
	OPT_DISPLAY,
	OPT_PAGE_URL,
	OPT_BELL,
	OPT_FLASH,
	OPT_PHOTO,
	OPT_CATEGORY, /* case new */
	OPT_ADDRESS,
	OPT_TEXT,
	OPT_SOURCE,
	OPT_QUEUE,
	OPT_SINCE, /* report */
	OPT_BY,
	OPT_CSV,
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"hub", required_argument, NULL, 'H'},
	    {"socket", required_argument, NULL, 'S'},
	    {"token-file", required_argument, NULL, 'T'},
	    {"delay", required_argument, NULL, 'd'},
	    {"screen", required_argument, NULL, 's'},
	    {"message", required_argument, NULL, 'm'},
	    {"no-color", no_argument, NULL, OPT_NO_COLOR},
	    {"ascii", no_argument, NULL, OPT_ASCII},
	    {"spark", required_argument, NULL, OPT_SPARK},
	    {"once", no_argument, NULL, OPT_ONCE},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"state", required_argument, NULL, OPT_STATE},
	    {"severity", required_argument, NULL, OPT_SEVERITY},
	    {"code", required_argument, NULL, OPT_CODE},
	    {"expires", required_argument, NULL, OPT_EXPIRES},
	    {"grid", required_argument, NULL, OPT_GRID},
	    {"display", required_argument, NULL, OPT_DISPLAY},
	    {"page-url", required_argument, NULL, OPT_PAGE_URL},
	    {"bell", required_argument, NULL, OPT_BELL},
	    {"flash", required_argument, NULL, OPT_FLASH},
	    {"photo", required_argument, NULL, OPT_PHOTO},
	    {"output", required_argument, NULL, 'o'},
	    {"category", required_argument, NULL, OPT_CATEGORY},
	    {"address", required_argument, NULL, OPT_ADDRESS},
	    {"text", required_argument, NULL, OPT_TEXT},
	    {"source", required_argument, NULL, OPT_SOURCE},
	    {"queue", no_argument, NULL, OPT_QUEUE},
	    {"since", required_argument, NULL, OPT_SINCE},
	    {"by", required_argument, NULL, OPT_BY},
	    {"csv", no_argument, NULL, OPT_CSV},
	    {NULL, 0, NULL, 0},
	};
	struct app_opts ao;
	struct api_opts po;
	struct api *api;
	const char *socket = NULL, *hub, *cmd, *message = NULL;
	const char *state = NULL, *severity = NULL, *code = NULL;
	const char *expires = NULL;
	const char *grid = NULL, *display = NULL, *page_url = NULL;
	const char *photo = NULL, *output = NULL;
	char *token = NULL, *env_token, *own_socket = NULL;
	struct cli_case_args ca;
	int c, once = 0, json = 0, rc, queue = 0, csv = 0;
	const char *since = NULL, *by = NULL;
	int64_t ms;

	setlocale(LC_ALL, "");
	log_init("citybrain");
	memset(&ao, 0, sizeof ao);
	memset(&ca, 0, sizeof ca);
	ao.interval_ms = 2000;
	ao.attention.bell = ao.attention.flash = 1u << SEV_HIGH;
	hub = getenv("CITYBRAIN_HUB");
	if (hub != NULL && *hub == '\0')
		hub = NULL;
	/* Options may come before and after the command ("+" keeps order
	 * off: GNU getopt permutes, so "ack ID -m TEXT" works). */
	while ((c = getopt_long(
	            argc, argv, "hVqvH:S:T:d:s:m:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("citybrain (citybrain) %s\n", PACKAGE_VERSION);
			return 0;
		case 'q':
			log_quieter();
			break;
		case 'v':
			log_louder();
			break;
		case 'H':
			hub = optarg;
			break;
		case 'S':
			socket = optarg;
			break;
		case 'T':
			free(token);
			token = read_token(optarg);
			break;
		case 'd':
			if (clock_parse_duration(optarg, &ms) != 0) {
				char *end;
				double d = strtod(optarg, &end);

				if (*end != '\0' || d <= 0) {
					fprintf(stderr,
					    "citybrain: -d %s: "
					    "expected seconds\n",
					    optarg);
					usage(stderr, 2);
				}
				ms = (int64_t)(d * 1000);
			}
			if (ms < 100)
				ms = 100;
			ao.interval_ms = (int)ms;
			break;
		case 's':
			ao.start = optarg;
			break;
		case 'm':
			message = optarg;
			break;
		case OPT_NO_COLOR:
			ao.no_color = 1;
			break;
		case OPT_ASCII:
			ao.ascii = 1;
			break;
		case OPT_SPARK:
			if (spark_style_parse(optarg, &ao.spark) != 0) {
				fprintf(stderr, "citybrain: --spark: braille, "
				                "block or ascii\n");
				usage(stderr, 2);
			}
			ao.spark_set = 1;
			break;
		case OPT_ONCE:
			once = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_STATE:
			state = optarg;
			break;
		case OPT_SEVERITY:
			severity = optarg;
			break;
		case OPT_CODE:
			code = optarg;
			break;
		case OPT_EXPIRES:
			expires = optarg;
			break;
		case OPT_GRID:
			grid = optarg;
			break;
		case OPT_DISPLAY:
			display = optarg;
			break;
		case OPT_PAGE_URL:
			page_url = optarg;
			break;
		case OPT_PHOTO:
			photo = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_BELL:
		case OPT_FLASH:
			if (attention_sevs_parse(optarg,
			        c == OPT_BELL ? &ao.attention.bell
			                      : &ao.attention.flash) != 0) {
				fprintf(stderr,
				    "citybrain: --%s: \"%s\": one of high, "
				    "medium, low, info (comma-separated) or "
				    "off\n",
				    c == OPT_BELL ? "bell" : "flash", optarg);
				return 2;
			}
			break;
		case OPT_CATEGORY:
			ca.category = optarg;
			break;
		case OPT_ADDRESS:
			ca.address = optarg;
			break;
		case OPT_TEXT:
			ca.text = optarg;
			break;
		case OPT_SOURCE:
			ca.source = optarg;
			break;
		case OPT_QUEUE:
			queue = 1;
			break;
		case OPT_SINCE:
			since = optarg;
			break;
		case OPT_BY:
			by = optarg;
			break;
		case OPT_CSV:
			csv = 1;
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (cli_check_values("--state", state, cli_states) != 0 ||
	    cli_check_values("--severity", severity, cli_severities) != 0 ||
	    (ao.start != NULL &&
	        (*ao.start == '\0' ||
	            cli_check_values("--screen", ao.start, cli_screens) != 0 ||
	            strchr(ao.start, ',') != NULL)))
		return 2;
	env_token = getenv("CITYBRAIN_TOKEN");
	if (token == NULL && env_token != NULL && *env_token != '\0')
		token = xstrdup(env_token);
	memset(&po, 0, sizeof po);
	po.url = hub;
	po.socket = find_socket(socket, &own_socket);
	po.token = token;
	cmd = optind < argc ? argv[optind] : NULL;

	/* Script forms decide the locale's drawing too (names or pinyin). */
	term_caps_detect();
	if (ao.ascii)
		text_set_utf8(0);
	rc = -1;
	if (cmd != NULL && strcmp(cmd, "ack") == 0) {
		if (optind + 2 != argc || message == NULL) {
			fprintf(stderr, "citybrain: ack needs an alert id and "
			                "-m TEXT\n");
			usage(stderr, 2);
		}
		po.timeout_ms = 15000;
		api = api_create(&po);
		rc = cli_ack(api, argv[optind + 1], message, expires, stdout);
	} else if (cmd != NULL && strcmp(cmd, "audit") == 0) {
		if (optind + 2 != argc ||
		    strcmp(argv[optind + 1], "verify") != 0) {
			fprintf(stderr, "citybrain: audit: only \"audit "
			                "verify\" is a command; the log is "
			                "screen 8\n");
			usage(stderr, 2);
		}
		po.timeout_ms = 60000;
		api = api_create(&po);
		rc = cli_audit_verify(api, json, stdout);
	} else if (cmd != NULL && strcmp(cmd, "handover") == 0) {
		const char *sub = optind + 1 < argc ? argv[optind + 1] : "";

		if (!((optind + 1 == argc) ||
		        (strcmp(sub, "sign") == 0 && optind + 2 == argc &&
		            message != NULL) ||
		        (strcmp(sub, "ack") == 0 && optind + 3 == argc))) {
			fprintf(stderr,
			    "citybrain: handover [--json], handover "
			    "sign -m TEXT, or handover ack ID\n");
			usage(stderr, 2);
		}
		po.timeout_ms = 30000;
		api = api_create(&po);
		rc = optind + 1 == argc ? cli_handover(api, json, stdout)
		     : strcmp(sub, "sign") == 0
		         ? cli_handover_sign(api, message, json, stdout)
		         : cli_handover_ack(
		               api, argv[optind + 2], message, stdout);
	} else if (cmd != NULL && strcmp(cmd, "quality") == 0 &&
	           (json || once || !isatty(STDOUT_FILENO))) {
		po.timeout_ms = 30000;
		api = api_create(&po);
		rc = cli_quality(api, json, stdout);
	} else if (cmd != NULL && strcmp(cmd, "worker") == 0) {
		const char *sub = optind + 1 < argc ? argv[optind + 1] : "";

		if (optind + 3 != argc ||
		    (strcmp(sub, "enrol") != 0 && strcmp(sub, "revoke") != 0) ||
		    (strcmp(sub, "enrol") == 0 && grid == NULL)) {
			fprintf(stderr, "citybrain: worker enrol NAME --grid "
			                "CODE, or worker revoke NAME\n");
			usage(stderr, 2);
		}
		if (page_url == NULL)
			page_url = getenv("CITYBRAIN_PAGE_URL");
		po.timeout_ms = 15000;
		api = api_create(&po);
		rc = strcmp(sub, "enrol") == 0
		         ? cli_worker_enrol(api, argv[optind + 2], grid,
		               display, page_url, json, stdout)
		         : cli_worker_revoke(api, argv[optind + 2], stdout);
	} else if (cmd != NULL && strcmp(cmd, "alert") == 0) {
		if (optind + 2 != argc) {
			fprintf(stderr,
			    "citybrain: alert ID [--json], or alert "
			    "ID --photo N -o FILE\n");
			usage(stderr, 2);
		}
		po.timeout_ms = 30000;
		api = api_create(&po);
		rc = cli_alert(
		    api, argv[optind + 1], photo, output, json, stdout);
	} else if (cmd != NULL && strcmp(cmd, "workers") == 0) {
		po.timeout_ms = 15000;
		api = api_create(&po);
		rc = cli_workers(api, json, stdout);
	} else if (cmd != NULL && strcmp(cmd, "case") == 0) {
		ca.grid = grid;
		if (optind + 2 != argc ||
		    strcmp(argv[optind + 1], "new") != 0 || ca.text == NULL ||
		    (ca.grid == NULL && ca.address == NULL)) {
			fprintf(stderr, "citybrain: case new needs --text and "
			                "--grid or --address\n");
			usage(stderr, 2);
		}
		po.timeout_ms = 15000;
		api = api_create(&po);
		rc = cli_case_new(api, &ca, json, stdout);
	} else if (cmd != NULL && strcmp(cmd, "report") == 0) {
		if (optind + 1 != argc || (json && csv) ||
		    (by != NULL &&
		        cli_check_values("--by", by, cli_report_bys) != 0) ||
		    (by != NULL && strchr(by, ',') != NULL))
			usage(stderr, 2);
		po.timeout_ms = 30000;
		api = api_create(&po);
		rc = cli_report(api, since, by, json, csv, stdout);
	} else if (cmd != NULL && strcmp(cmd, "cases") == 0) {
		po.timeout_ms = 15000;
		api = api_create(&po);
		rc = cli_cases(api, queue, json, stdout);
	} else if (cmd != NULL && strcmp(cmd, "whoami") == 0) {
		po.timeout_ms = 15000;
		api = api_create(&po);
		rc = cli_whoami(api, json, stdout);
	} else if (cmd != NULL && strcmp(cmd, "alerts") == 0 &&
	           (json || once || !isatty(STDOUT_FILENO) || state ||
	               severity || code)) {
		po.timeout_ms = 15000;
		api = api_create(&po);
		rc = cli_alerts(api, json, state, severity, code, stdout);
	} else if (cmd != NULL && strcmp(cmd, "overview") == 0 &&
	           (once || json)) {
		po.timeout_ms = 15000;
		api = api_create(&po);
		rc = cli_overview(api, json, stdout);
	} else {
		if (cmd != NULL) {
			const char *const *screens = cli_screens;
			int i;

			for (i = 0; screens[i] != NULL; i++) {
				if (strcmp(cmd, screens[i]) == 0)
					break;
			}
			if (screens[i] == NULL || optind + 1 != argc) {
				fprintf(stderr,
				    "citybrain: unknown command "
				    "\"%s\"\n",
				    cmd);
				usage(stderr, 2);
			}
			ao.start = cmd;
		}
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			fprintf(stderr, "citybrain: not a terminal; for "
			                "scripts use \"overview --once\" or "
			                "\"alerts --json\"\n");
			free(token);
			free(own_socket);
			return 2;
		}
		po.timeout_ms = 10000;
		api = api_create(&po);
		rc = app_run(api, &ao);
	}
	api_free(api);
	free(token);
	free(own_socket);
	return rc;
}
