/* The Incidents screen (screen-incidents.c, screen_incidents_class in
 * screen.h) and the Alerts screen's "i": make an incident of the tagged
 * (or selected) alerts, asking for its title; takes c over. */
#ifndef CB_TUI_SCREEN_INCIDENTS_H
#define CB_TUI_SCREEN_INCIDENTS_H

struct alert_action;

void alert_action_incident(struct alert_action *c);

#endif
