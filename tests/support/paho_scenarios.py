"""
The broker scenarios of the Paho interoperability suite (MQTT 3.1.1 and 5.0), driven by
the Eclipse Paho Python client (Debian: python3-paho-mqtt) against a broker on 127.0.0.1.

    /usr/bin/python3 tests/support/paho_scenarios.py PORT

The broker must refuse subscriptions to test/nosubscribe (`--deny-subscribe
test/nosubscribe`). Prints one PASS/FAIL line per check and "N/M passed"; exits 1 on any
failure. Waits are bounds against hanging, never assertions about time.
"""
import sys
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

PORT = int(sys.argv[1])
PREFIX = "paho_scenarios/"
TOPICS = [PREFIX + t for t in ["TopicA", "TopicA/B", "Topic/C", "TopicA/C", "/TopicA"]]
WILD = [PREFIX + t for t in ["TopicA/+", "+/C", "#", "/#", "/+", "+/+", "TopicA/#"]]
results = []


class Client:
    def __init__(self, client_id, v5=True, **options):
        self.messages, self.subacks, self.connacks, self.disconnects = [], [], [], []
        protocol = mqtt.MQTTv5 if v5 else mqtt.MQTTv311
        self.mqtt = mqtt.Client(client_id, protocol=protocol, **options)
        self.mqtt.on_message = lambda c, u, message: self.messages.append(message)
        self.mqtt.on_subscribe = lambda c, u, mid, codes, p=None: self.subacks.append(codes)
        self.mqtt.on_connect = lambda c, u, flags, rc, p=None: self.connacks.append((flags, rc, p))
        self.mqtt.on_disconnect = lambda c, u, rc, p=None: self.disconnects.append(rc)

    def connect(self, **options):
        expected = len(self.connacks) + 1
        self.mqtt.connect("127.0.0.1", PORT, **options)
        self.mqtt.loop_start()
        return wait(self.connacks, expected)

    def subscribe(self, *args, **options):
        expected = len(self.subacks) + 1
        self.mqtt.subscribe(*args, **options)
        return wait(self.subacks, expected)

    def stop(self, **options):
        self.mqtt.disconnect(**options)
        time.sleep(0.1)
        self.mqtt.loop_stop()

    def kill(self):
        """Ends the connection without DISCONNECT."""
        self.mqtt.loop_stop()
        self.mqtt.socket().close()


def wait(items, count=1, bound=5):
    end = time.time() + bound
    while len(items) < count and time.time() < end:
        time.sleep(0.05)
    return items[count - 1] if len(items) >= count else None


def settle():
    """Gives messages that must NOT arrive the chance to show up."""
    time.sleep(0.5)


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("PASS " if condition else "FAIL ") + name + ("" if condition else f": {detail}"))


def props(kind, **values):
    properties = Properties(kind)
    for key, value in values.items():
        setattr(properties, key, value)
    return properties


def clean_retained():
    """Clears every retained message, QoS 1 so each clear is acknowledged before leaving."""
    client = Client("clean retained")
    client.connect()
    client.subscribe("#", qos=0)
    settle()
    pending = [client.mqtt.publish(m.topic, b"", 1, retain=True) for m in client.messages if m.retain]
    for info in pending:
        info.wait_for_publish(5)
    client.stop()


def basic(v5):
    name = "MQTT 5" if v5 else "MQTT 3.1.1"
    a = Client("basic", v5)
    a.connect()
    a.subscribe(TOPICS[0], qos=2)
    for qos in range(3):
        a.mqtt.publish(TOPICS[0], f"qos {qos}".encode(), qos)
    wait(a.messages, 3)
    check(f"basic: QoS 0, 1 and 2 arrive ({name})", sorted(m.qos for m in a.messages) == [0, 1, 2])
    a.stop()

    a = Client("retained", v5)
    a.connect()
    for i, qos in ((1, 0), (2, 1), (3, 2)):
        a.mqtt.publish(TOPICS[i], b"retained", qos, retain=True)
    a.subscribe(WILD[5], qos=2)
    wait(a.messages, 3)
    check(f"retained messages reach a new subscription ({name})", len(a.messages) == 3 and all(m.retain for m in a.messages), len(a.messages))
    a.stop()
    clean_retained()

    session = {"clean_session": False} if not v5 else {}
    connect = {} if not v5 else {"properties": props(PacketTypes.CONNECT, SessionExpiryInterval=99999)}
    a = Client("offline", v5, **session)
    a.connect(**connect)
    a.subscribe(WILD[5], qos=2)
    a.stop()
    b = Client("publisher", v5)
    b.connect()
    for i, qos in ((1, 0), (2, 1), (3, 2)):
        b.mqtt.publish(TOPICS[i], b"queued", qos)
    settle()
    b.stop()
    a = Client("offline", v5, **session)
    again = {"clean_start": False} if v5 else {}
    a.connect(**again)
    wait(a.messages, 2)
    settle()
    check(f"offline messages are queued ({name})", len(a.messages) in (2, 3), len(a.messages))
    a.stop()

    a = Client("overlap", v5)
    a.connect()
    a.subscribe([(WILD[6], 2), (WILD[0], 1)])
    a.mqtt.publish(TOPICS[3], b"overlapping", 2)
    wait(a.messages)
    settle()
    qos = sorted(m.qos for m in a.messages)
    check(f"overlapping subscriptions ({name})", qos in ([2], [1, 2]), [(m.topic, m.qos, m.retain, m.payload) for m in a.messages])
    a.stop()

    b = Client("keepalive watcher", v5)
    b.connect()
    b.subscribe(TOPICS[4], qos=2)
    a = Client("keepalive", v5)
    a.mqtt.will_set(TOPICS[4], b"keepalive expiry")
    a.connect(keepalive=2)
    a.mqtt.loop_stop()  # no more PINGREQs
    wait(b.messages, 1, 10)
    check(f"keep-alive timeout publishes the will ({name})", len(b.messages) == 1, len(b.messages))
    b.stop()
    a.mqtt.socket().close()

    a = Client("subscribe failure", v5)
    a.connect()
    codes = a.subscribe("test/nosubscribe", qos=2)
    value = codes[0].value if v5 else codes[0]
    check(f"subscribe failure returns 0x80 ({name})", value == 0x80, codes)
    a.stop()

    b = Client("dollar", v5)
    b.connect()
    b.subscribe(WILD[5], qos=2)
    settle()
    b.messages.clear()
    b.mqtt.publish("$" + TOPICS[1], b"", 1)
    settle()
    check(f"+/+ does not match a $ topic ({name})", b.messages == [], b.messages)
    b.stop()

    b = Client("unsubscribe", v5)
    b.connect()
    for topic in TOPICS[:3]:
        b.subscribe(topic, qos=2)
    b.mqtt.unsubscribe(TOPICS[0])
    settle()
    b.messages.clear()
    a = Client("unsubscribe publisher", v5)
    a.connect()
    for topic in TOPICS[:3]:
        a.mqtt.publish(topic, b"m", 1)
    wait(b.messages, 2)
    settle()
    check(f"unsubscribe stops one topic only ({name})", len(b.messages) == 2, len(b.messages))
    a.stop()
    b.stop()


def mqtt5_only():
    z = Client("", True)
    flags, rc, properties = z.connect(clean_start=False)
    check("empty client id gets an assigned one (MQTT 5)", rc == 0 and len(properties.AssignedClientIdentifier) > 0, properties)
    z.stop()

    user = [("a", "2"), ("c", "3")]
    a = Client("user properties")
    a.connect()
    a.subscribe(TOPICS[0], qos=2)
    for qos in range(3):
        a.mqtt.publish(TOPICS[0], b"", qos, properties=props(PacketTypes.PUBLISH, UserProperty=user, PayloadFormatIndicator=1, ContentType="My name"))
    wait(a.messages, 3)
    ok = len(a.messages) == 3 and all(m.properties.UserProperty == user and m.properties.ContentType == "My name" and m.properties.PayloadFormatIndicator == 1 for m in a.messages)
    check("user properties and payload format pass through (MQTT 5)", ok, [m.properties for m in a.messages])
    a.stop()

    e = Client("session expiry")
    e.connect(properties=props(PacketTypes.CONNECT, SessionExpiryInterval=0))
    e.subscribe(TOPICS[0], qos=2)
    e.stop()
    e = Client("session expiry")
    flags, rc, p = e.connect(clean_start=False, properties=props(PacketTypes.CONNECT, SessionExpiryInterval=1))
    check("session expiry 0 ends the session with the connection (MQTT 5)", flags["session present"] == 0, flags)
    e.mqtt.subscribe(TOPICS[0], qos=2)
    e.stop(properties=props(PacketTypes.DISCONNECT, SessionExpiryInterval=60))
    e = Client("session expiry")
    flags, rc, p = e.connect(clean_start=False, properties=props(PacketTypes.CONNECT, SessionExpiryInterval=1))
    check("DISCONNECT extends the session expiry (MQTT 5)", flags["session present"] == 1, flags)
    e.stop(properties=props(PacketTypes.DISCONNECT, SessionExpiryInterval=0))
    e = Client("session expiry")
    flags, rc, p = e.connect(clean_start=False)
    check("DISCONNECT with expiry 0 ends the session (MQTT 5)", flags["session present"] == 0, flags)
    e.stop()

    b = Client("expiry subscriber")
    b.connect(properties=props(PacketTypes.CONNECT, SessionExpiryInterval=99999))
    b.subscribe(TOPICS[0], qos=2)
    b.stop(properties=props(PacketTypes.DISCONNECT, SessionExpiryInterval=999999999))
    a = Client("expiry publisher")
    a.connect()
    for interval, qos in ((1, 1), (1, 2), (60, 1), (60, 2)):
        a.mqtt.publish(TOPICS[0], b"m", qos, properties=props(PacketTypes.PUBLISH, MessageExpiryInterval=interval))
    time.sleep(2.2)  # lets the 1 s messages expire (the condition, not an assertion)
    b = Client("expiry subscriber")
    b.connect(clean_start=False)
    wait(b.messages, 2)
    settle()
    check("expired messages are dropped, others carry the remaining time (MQTT 5)", len(b.messages) == 2 and all(m.properties.MessageExpiryInterval < 60 for m in b.messages), [m.properties for m in b.messages])
    a.stop()
    b.stop()

    a, b = Client("no local a"), Client("no local b")
    a.connect()
    b.connect()
    a.subscribe(TOPICS[0], options=SubscribeOptions(qos=2, noLocal=True))
    b.subscribe(TOPICS[0], options=SubscribeOptions(qos=2, noLocal=True))
    a.mqtt.publish(TOPICS[0], b"noLocal", 1)
    wait(b.messages)
    settle()
    check("No Local (MQTT 5)", a.messages == [] and len(b.messages) == 1, (a.messages, b.messages))
    a.messages.clear()
    a.subscribe(TOPICS[1], options=SubscribeOptions(qos=2, retainAsPublished=True))
    a.mqtt.publish(TOPICS[1], b"false", 1, retain=False)
    a.mqtt.publish(TOPICS[1], b"true", 1, retain=True)
    wait(a.messages, 2)
    check("Retain As Published (MQTT 5)", [m.retain for m in a.messages] == [False, True], [m.retain for m in a.messages])
    a.messages.clear()
    a.subscribe(WILD[0], options=SubscribeOptions(qos=2, retainHandling=1))
    wait(a.messages)
    first = len(a.messages)
    a.subscribe(WILD[0], options=SubscribeOptions(qos=2, retainHandling=1))
    settle()
    check("Retain Handling 1 (MQTT 5)", first == 1 and len(a.messages) == 1, [(m.topic, m.retain, m.payload) for m in a.messages])
    a.stop()
    b.stop()
    clean_retained()

    a, b = Client("ids a"), Client("ids b")
    a.connect()
    b.connect()
    a.mqtt.subscribe(TOPICS[0], qos=2, properties=props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=456789))
    wait(a.subacks)
    b.mqtt.subscribe(TOPICS[0], qos=2, properties=props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=2))
    wait(b.subacks)
    b.mqtt.subscribe(TOPICS[0] + "/#", qos=2, properties=props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=3))
    wait(b.subacks, 2)
    b.mqtt.publish(TOPICS[0], b"ids", 1)
    wait(a.messages)
    wait(b.messages)
    ok = a.messages[0].properties.SubscriptionIdentifier == [456789] and set(b.messages[0].properties.SubscriptionIdentifier) == {2, 3}
    check("subscription identifiers (MQTT 5)", ok, (a.messages, b.messages))

    a.messages.clear()
    b.messages.clear()
    a.subscribe(TOPICS[3], options=SubscribeOptions(qos=2, noLocal=True))
    b.subscribe(TOPICS[3], options=SubscribeOptions(qos=2, noLocal=True))
    a.mqtt.publish(TOPICS[3], b"request", 1, properties=props(PacketTypes.PUBLISH, ResponseTopic=TOPICS[3], CorrelationData=b"334"))
    request = wait(b.messages)
    check("request carries response topic and correlation data (MQTT 5)", request is not None and request.properties.CorrelationData == b"334", request)
    b.mqtt.publish(request.properties.ResponseTopic, b"response", 1, properties=props(PacketTypes.PUBLISH, CorrelationData=request.properties.CorrelationData))
    check("response reaches the requester (MQTT 5)", wait(a.messages) is not None)
    a.stop()
    b.stop()

    a = Client("client alias")
    a.connect(properties=props(PacketTypes.CONNECT, SessionExpiryInterval=99999))
    a.subscribe(TOPICS[0], qos=2)
    a.mqtt.publish(TOPICS[0], b"1", 1, properties=props(PacketTypes.PUBLISH, TopicAlias=1))
    a.mqtt.publish("", b"2", 1, properties=props(PacketTypes.PUBLISH, TopicAlias=1))
    wait(a.messages, 2)
    check("client topic aliases (MQTT 5)", [m.topic for m in a.messages] == [TOPICS[0]] * 2, [m.topic for m in a.messages])
    a.stop()
    a = Client("client alias")
    a.connect(clean_start=False)
    a.mqtt.publish("", b"unknown alias", 1, properties=props(PacketTypes.PUBLISH, TopicAlias=1))
    check("an alias from an earlier connection is refused (MQTT 5)", wait(a.disconnects) is not None)
    a.mqtt.loop_stop()

    a = Client("server alias")
    a.connect(properties=props(PacketTypes.CONNECT, TopicAliasMaximum=1))
    a.subscribe(TOPICS[0], qos=2)
    for qos in range(3):
        a.mqtt.publish(TOPICS[0], b"alias", qos)
    wait(a.messages, 3)
    aliases = [getattr(m.properties, "TopicAlias", None) for m in a.messages]
    check("the broker uses topic aliases the client allows (MQTT 5)", len(set(aliases)) == 1 and aliases[0] and a.messages[0].topic == TOPICS[0], aliases)
    a.stop()

    a = Client("maximum packet size")
    a.connect(properties=props(PacketTypes.CONNECT, MaximumPacketSize=64))
    a.subscribe(TOPICS[0], qos=2)
    a.mqtt.publish(TOPICS[0], b"." * 32, 0)
    a.mqtt.publish(TOPICS[0], b"." * 64, 1)
    wait(a.messages)
    settle()
    check("nothing over the client's Maximum Packet Size (MQTT 5)", len(a.messages) == 1, len(a.messages))
    a.stop()

    a = Client("server keep alive")
    flags, rc, properties = a.connect(keepalive=120)
    check("Server Keep Alive 60 for a keep-alive of 120 (MQTT 5)", getattr(properties, "ServerKeepAlive", None) == 60, properties)
    a.stop()

    b = Client("will delay watcher")
    b.connect()
    b.subscribe(TOPICS[0], qos=2)
    for delay, expiry in ((3, 5), (5, 0), (5, 2)):
        a = Client("will delay")
        a.mqtt.will_set(TOPICS[0], b"will", properties=props(PacketTypes.WILLMESSAGE, WillDelayInterval=delay))
        a.connect(properties=props(PacketTypes.CONNECT, SessionExpiryInterval=expiry))
        count = len(b.messages)
        a.kill()
        check(f"will with delay {delay} and session expiry {expiry} is published (MQTT 5)", wait(b.messages, count + 1, 10) is not None)
    b.stop()

    shared = "$share/sharename/" + PREFIX + "x"
    a, b = Client("shared a"), Client("shared b")
    a.connect()
    b.connect()
    a.subscribe([(shared, 2), (TOPICS[0], 2)])
    b.subscribe([(shared, 2), (TOPICS[0], 2)])
    b.mqtt.publish(TOPICS[0], b"to both", 0)
    wait(a.messages)
    wait(b.messages)
    b.mqtt.publish(PREFIX + "x", b"to one", 0)
    wait(a.messages + b.messages, 3)
    settle()
    check("a shared subscription delivers each message once (MQTT 5)", len(a.messages) + len(b.messages) == 3, (len(a.messages), len(b.messages)))
    a.stop()
    b.stop()


def mqtt311_only():
    a = Client("", False, clean_session=True)
    flags, rc, p = a.connect()
    check("empty client id with clean session (MQTT 3.1.1)", rc == 0, rc)
    a.stop()


clean_retained()
basic(v5=False)
basic(v5=True)
mqtt311_only()
mqtt5_only()
print(f"{sum(results)}/{len(results)} passed")
sys.exit(0 if all(results) else 1)
