/* citybrain: the operator console (placeholder main until the console lands). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/log.h"

static void __attribute__((noreturn))
usage(FILE *f, int status)
{
	fprintf(f, "Usage: citybrain [-qv] [--hub URL] [--help] [--version]\n");
	exit(status);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "hub", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	log_init("citybrain");
	while ((c = getopt_long(argc, argv, "qvH:", longopts, NULL)) != -1) {
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
			break;
		default:
			usage(stderr, 2);
		}
	}
	fprintf(stderr, "citybrain: the console is not built yet\n");
	return 1;
}
