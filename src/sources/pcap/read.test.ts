// The capture reader on captures built byte by byte (src/testing/capture-builder.ts): container formats, link
// types, IP layers and damage. Expected values are the fields written into each built frame.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { DecodedPacket } from "../../model/packet.js";
import { SourceError } from "../errors.js";
import { decodeCapture, type CaptureReadResult } from "./read.js";
import { ACK, buildPcap, buildPcapngSection, dnsMessage, ethernet, ipv4, ipv6, linuxCooked, loopback, PSH, SYN, tcp, udp } from "../../testing/capture-builder.js";

function decode(bytes: Uint8Array, chunkSize = bytes.length || 1): { packets: DecodedPacket[]; result: Partial<CaptureReadResult> } {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.slice(i, i + chunkSize));
  const result: Partial<CaptureReadResult> = {};
  const packets = [...decodeCapture(chunks, "test.pcap", result)].map((p) => ({ ...p, tcp: p.tcp && { ...p.tcp, payload: p.tcp.payload.slice() } }));
  return { packets, result };
}

const synV4 = ipv4({ src: "10.244.0.5", dst: "10.244.1.7", protocol: 6, payload: tcp({ sport: 43210, dport: 8080, seq: 1000, flags: SYN, window: 64240, windowScale: 7, mss: 1460 }) });
const ackData = ipv4({ src: "10.244.0.5", dst: "10.244.1.7", protocol: 6, payload: tcp({ sport: 43210, dport: 8080, seq: 1001, ack: 5001, flags: ACK | PSH, payload: new Uint8Array(100) }) });

describe("libpcap container", () => {
  for (const [label, options] of [
    ["little-endian microseconds", {}],
    ["big-endian microseconds", { bigEndian: true }],
    ["little-endian nanoseconds", { nanos: true }],
    ["big-endian nanoseconds", { nanos: true, bigEndian: true }],
  ] as const) {
    it(`reads ${label}`, () => {
      const bytes = buildPcap([{ time: { sec: 1700000000, nsec: 123456000 }, data: ethernet(synV4) }, { time: { sec: 1700000001, nsec: 5000 }, data: ethernet(ackData) }], options);
      const { packets, result } = decode(bytes);
      assert.equal(result.format, "pcap");
      assert.equal(packets.length, 2);
      assert.deepEqual(packets[0]!.time, { sec: 1700000000, nsec: 123456000 });
      assert.deepEqual(packets[1]!.time, { sec: 1700000001, nsec: 5000 });
      assert.deepEqual(packets[0]!.ip, { version: 4, src: "10.244.0.5", dst: "10.244.1.7", protocol: 6 });
      assert.equal(packets[0]!.srcPort, 43210);
      assert.equal(packets[0]!.dstPort, 8080);
      assert.equal(packets[0]!.tcp!.flags, SYN);
      assert.equal(packets[0]!.tcp!.windowScale, 7);
      assert.equal(packets[0]!.tcp!.mss, 1460);
      assert.equal(packets[1]!.tcp!.segmentLength, 100);
      assert.equal(packets[1]!.tcp!.ack, 5001);
    });
  }

  it("gives the same packets whatever the chunk boundaries (streaming)", () => {
    const bytes = buildPcap([{ time: 1, data: ethernet(synV4) }, { time: 2, data: ethernet(ackData) }, { time: 3, data: ethernet(synV4) }]);
    const whole = decode(bytes).packets;
    for (const size of [1, 7, 16, 25]) assert.deepEqual(decode(bytes, size).packets, whole, `chunks of ${size}`);
  });

  it("takes the TCP length from the IP header, not Ethernet padding", () => {
    // A bare ACK is 54 bytes; Ethernet pads it to 60. The segment still carries no data.
    const bare = ipv4({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 6, payload: tcp({ sport: 1, dport: 2, seq: 1, ack: 1, flags: ACK }) });
    const padded = new Uint8Array(60);
    padded.set(ethernet(bare));
    const { packets } = decode(buildPcap([{ time: 1, data: padded }]));
    assert.equal(packets[0]!.tcp!.segmentLength, 0);
  });

  it("skips IPv4 options", () => {
    const withOptions = ipv4({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 6, options: [0x94, 0x04, 0, 0, 1, 1, 1, 0], payload: tcp({ sport: 1234, dport: 80, seq: 7, flags: SYN }) });
    const { packets } = decode(buildPcap([{ time: 1, data: ethernet(withOptions) }]));
    assert.equal(packets[0]!.dstPort, 80);
    assert.equal(packets[0]!.tcp!.seq, 7);
  });
});

describe("link types", () => {
  const v6 = ipv6({ src: "fd00::1", dst: "fd00:0:0:1::2", protocol: 6, payload: tcp({ sport: 5000, dport: 443, seq: 1, flags: SYN }) });
  const cases: [string, number, Uint8Array, string][] = [
    ["Ethernet with two VLAN tags (QinQ)", 1, ethernet(synV4, 0x0800, [100, 200]), "10.244.1.7"],
    ["Linux cooked SLL", 113, linuxCooked(synV4, 1), "10.244.1.7"],
    ["Linux cooked SLL2", 276, linuxCooked(v6, 2, 0x86dd), "fd00:0:0:1::2"],
    ["raw IPv4", 101, synV4, "10.244.1.7"],
    ["raw IPv6", 101, v6, "fd00:0:0:1::2"],
    ["NULL loopback, little-endian host, AF_INET", 0, loopback(synV4, 2, true), "10.244.1.7"],
    ["NULL loopback, big-endian host, AF_INET6 (macOS 30)", 0, loopback(v6, 30, false), "fd00:0:0:1::2"],
    ["OpenBSD LOOP, AF_INET6 (24)", 108, loopback(v6, 24, false), "fd00:0:0:1::2"],
  ];
  for (const [label, linkType, frame, dst] of cases) {
    it(label, () => {
      const { packets } = decode(buildPcap([{ time: 1, data: frame }], { linkType }));
      assert.equal(packets[0]!.ip?.dst, dst);
      assert.equal(packets[0]!.tcp?.flags, SYN);
    });
  }

  it("reports an undecoded link type instead of guessing", () => {
    const { packets } = decode(buildPcap([{ time: 1, data: synV4 }], { linkType: 105 }));
    assert.equal(packets[0]!.ip, undefined);
    assert.match(packets[0]!.note!, /link type 105/);
  });
});

describe("pcapng container", () => {
  it("reads several sections of both byte orders, interfaces with their own link types and resolutions, and simple packet blocks", () => {
    const first = buildPcapngSection(
      [{ linkType: 1 }, { linkType: 276, tsresol: 9 }],
      [
        { time: { sec: 1700000000, nsec: 1000 }, data: ethernet(synV4), interfaceId: 0 },
        { time: { sec: 1700000000, nsec: 123456789 }, data: linuxCooked(ackData, 2), interfaceId: 1 },
      ],
    );
    const second = buildPcapngSection(
      [{ linkType: 101, tsresol: 0x80 | 10 }],
      [
        { time: { sec: 1700000002, nsec: 500000000 }, data: synV4 },
        { time: 0, data: synV4, simple: true },
      ],
      { bigEndian: true },
    );
    const bytes = new Uint8Array(first.length + second.length);
    bytes.set(first);
    bytes.set(second, first.length);
    for (const size of [bytes.length, 13]) {
      const { packets, result } = decode(bytes, size);
      assert.equal(result.format, "pcapng");
      assert.deepEqual(packets.map((p) => p.frame), [1, 2, 3, 4]);
      assert.deepEqual(packets.map((p) => p.time), [
        { sec: 1700000000, nsec: 1000 },
        { sec: 1700000000, nsec: 123456789 },
        { sec: 1700000002, nsec: 500000000 }, // 2^-10 resolution represents .5 exactly
        { sec: 0, nsec: 0 }, // simple packet blocks carry no timestamp
      ]);
      assert.deepEqual(packets.map((p) => p.tcp?.flags), [SYN, ACK | PSH, SYN, SYN]);
    }
  });
});

describe("IP fragments and IPv6 extension headers", () => {
  it("reassembles IPv4 fragments arriving out of order and decodes the datagram at the completing frame", () => {
    const dns = udp({ sport: 5353, dport: 53, payload: dnsMessage({ id: 7, name: "api.shop.svc.cluster.local" }) });
    const part1 = dns.subarray(0, 16);
    const part2 = dns.subarray(16);
    const f2 = ipv4({ src: "10.0.0.1", dst: "10.96.0.10", protocol: 17, id: 99, fragmentOffset: 16, payload: part2 });
    const f1 = ipv4({ src: "10.0.0.1", dst: "10.96.0.10", protocol: 17, id: 99, moreFragments: true, payload: part1 });
    const { packets } = decode(buildPcap([{ time: 1, data: ethernet(f2) }, { time: 2, data: ethernet(f1) }]));
    assert.equal(packets[0]!.udp, undefined);
    assert.match(packets[0]!.note!, /fragment/);
    assert.deepEqual(packets[1]!.ip!.reassembledFrom, [1, 2]);
    assert.equal(packets[1]!.dstPort, 53);
    assert.equal(packets[1]!.udp!.payload.length, dns.length - 8);
    // A first fragment whose rest never comes stays undecoded and is counted.
    const lone = decode(buildPcap([{ time: 3, data: ethernet(ipv4({ src: "10.0.0.1", dst: "10.96.0.10", protocol: 17, id: 100, moreFragments: true, payload: part1 })) }]));
    assert.equal(lone.packets[0]!.udp, undefined);
    assert.equal(lone.result.incompleteDatagrams, 1);
  });

  it("walks hop-by-hop and destination options, and reassembles IPv6 fragments", () => {
    const segment = tcp({ sport: 40000, dport: 8443, seq: 42, flags: SYN });
    const withExt = ipv6({ src: "2001:db8::1", dst: "2001:db8::2", protocol: 6, payload: segment, extensions: [{ type: 0, body: [1, 4, 0, 0, 0, 0] }, { type: 60, body: [1, 4, 0, 0, 0, 0] }] });
    const fragA = ipv6({ src: "2001:db8::1", dst: "2001:db8::2", protocol: 6, payload: segment.subarray(0, 16), extensions: [{ type: 44, body: [0, 1, 0, 0, 0, 5] }] });
    const fragB = ipv6({ src: "2001:db8::1", dst: "2001:db8::2", protocol: 6, payload: segment.subarray(16), extensions: [{ type: 44, body: [0, 16, 0, 0, 0, 5] }] });
    const { packets } = decode(buildPcap([{ time: 1, data: withExt }, { time: 2, data: fragA }, { time: 3, data: fragB }], { linkType: 101 }));
    assert.equal(packets[0]!.tcp!.seq, 42);
    assert.equal(packets[0]!.dstPort, 8443);
    assert.equal(packets[1]!.tcp, undefined);
    assert.equal(packets[2]!.tcp!.seq, 42);
    assert.deepEqual(packets[2]!.ip!.reassembledFrom, [2, 3]);
  });
});

describe("damaged input", () => {
  it("is an error with the offset when the file is not a capture", () => {
    assert.throws(() => decode(new TextEncoder().encode("apiVersion: v1\nkind: Pod\n")), (e: unknown) => e instanceof SourceError && /at byte 0: not a pcap or pcapng capture/.test(e.message));
    assert.throws(() => decode(new Uint8Array(0)), /empty file/);
  });

  it("analyses the records before a truncation and reports where the file ends", () => {
    const bytes = buildPcap([{ time: 1, data: ethernet(synV4) }, { time: 2, data: ethernet(ackData) }]);
    const secondRecord = 24 + 16 + ethernet(synV4).length;
    const { packets, result } = decode(bytes.subarray(0, bytes.length - 10));
    assert.equal(packets.length, 1);
    assert.equal(result.damage?.offset, secondRecord);
    assert.match(result.damage!.reason, /truncated/);
  });

  it("stops at a corrupt pcapng block and reports its offset", () => {
    const bytes = buildPcapngSection([{ linkType: 1 }], [{ time: 1, data: ethernet(synV4) }, { time: 2, data: ethernet(ackData) }]);
    const shbAndIdb = 28 + 20;
    const secondBlock = shbAndIdb + 32 + ((ethernet(synV4).length + 3) & ~3);
    const broken = bytes.slice();
    new DataView(broken.buffer).setUint32(secondBlock + 4, 7, true); // a block length that is not a multiple of 4
    const { packets, result } = decode(broken);
    assert.equal(packets.length, 1);
    assert.equal(result.damage?.offset, secondBlock);
    assert.match(result.damage!.reason, /invalid length 7/);
  });
});
