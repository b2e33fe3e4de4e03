/*
 * The C reference publisher of bench/agent_broker.ts: libmosquitto (the library of
 * mosquitto_pub), MQTT 5, publishing COUNT messages of PAYLOAD_SIZE bytes to TOPIC at QoS
 * 0 or 1 with at most 1000 outstanding, like the TypeScript publishers of the bench; it
 * exits once every publish completed (written at QoS 0, acknowledged at QoS 1).
 *
 *   c_publisher HOST PORT TOPIC QOS COUNT PAYLOAD_SIZE
 *
 * Declares the few libmosquitto functions it calls, so only the shared library
 * (libmosquitto1, installed with mosquitto-clients) is needed, not its headers.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mosquitto;
int mosquitto_lib_init(void);
struct mosquitto *mosquitto_new(const char *id, bool clean_session, void *obj);
int mosquitto_int_option(struct mosquitto *mosq, int option, int value);
void mosquitto_publish_callback_set(struct mosquitto *mosq,
                                    void (*on_publish)(struct mosquitto *, void *, int));
int mosquitto_connect(struct mosquitto *mosq, const char *host, int port, int keepalive);
int mosquitto_publish(struct mosquitto *mosq, int *mid, const char *topic, int payloadlen,
                      const void *payload, int qos, bool retain);
int mosquitto_loop(struct mosquitto *mosq, int timeout, int max_packets);
int mosquitto_disconnect(struct mosquitto *mosq);
void mosquitto_destroy(struct mosquitto *mosq);
const char *mosquitto_strerror(int error);

#define MOSQ_OPT_PROTOCOL_VERSION 1
#define MOSQ_OPT_SEND_MAXIMUM 5
#define MQTT_PROTOCOL_V5 5
#define WINDOW 1000

static long completed = 0;

static void on_publish(struct mosquitto *mosq, void *obj, int mid) {
  (void)mosq;
  (void)obj;
  (void)mid;
  completed++;
}

static void check(int rc, const char *what) {
  if (rc != 0) {
    fprintf(stderr, "c_publisher: %s failed: %s\n", what, mosquitto_strerror(rc));
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: c_publisher HOST PORT TOPIC QOS COUNT PAYLOAD_SIZE\n");
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  const char *topic = argv[3];
  int qos = atoi(argv[4]);
  long count = atol(argv[5]);
  int size = atoi(argv[6]);
  char *payload = malloc(size);
  memset(payload, 'c', size);

  mosquitto_lib_init();
  struct mosquitto *mosq = mosquitto_new("c-pub", true, NULL);
  if (mosq == NULL) {
    fprintf(stderr, "c_publisher: mosquitto_new failed\n");
    return 1;
  }
  check(mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5), "protocol");
  // As many QoS 1 publishes in flight as the window (libmosquitto's default is 20).
  check(mosquitto_int_option(mosq, MOSQ_OPT_SEND_MAXIMUM, WINDOW), "send maximum");
  mosquitto_publish_callback_set(mosq, on_publish);
  check(mosquitto_connect(mosq, host, port, 60), "connect");
  long sent = 0;
  while (completed < count) {
    while (sent < count && sent - completed < WINDOW) {
      check(mosquitto_publish(mosq, NULL, topic, size, payload, qos, false), "publish");
      sent++;
    }
    check(mosquitto_loop(mosq, 100, 1), "loop");
  }
  mosquitto_disconnect(mosq);
  mosquitto_loop(mosq, 100, 1);
  mosquitto_destroy(mosq);
  free(payload);
  return 0;
}
