// Decoded packets of a capture file (pcap / pcapng): plain data, produced by sources/pcap, read by engines/pcap.

/** Capture time: whole seconds since the epoch plus nanoseconds (a double cannot hold ns since 1970 exactly). */
export interface CaptureTime {
  sec: number;
  nsec: number;
}

/** TCP header fields the analysis needs. seq/ack are the raw 32-bit numbers. */
export interface TcpHeader {
  seq: number;
  ack: number;
  /** The 12 flag bits (TH_MASK 0x0FFF): FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80, AE/NS 0x100. */
  flags: number;
  /** The window field as sent (unscaled). */
  window: number;
  headerLength: number;
  /** Payload length from the IP lengths (not the captured bytes), undefined when the header is longer than the segment. */
  segmentLength: number | undefined;
  /** Window scale option shift (capped at 14 as RFC 7323 says), when present. */
  windowScale?: number;
  mss?: number;
  /** Captured payload bytes (may be fewer than segmentLength when the snapshot length cut it). */
  payload: Uint8Array;
}

export interface UdpHeader {
  /** Captured payload bytes. */
  payload: Uint8Array;
  length: number;
}

/** One frame of the capture, decoded as far as this reader goes. */
export interface DecodedPacket {
  /** 1-based frame number, counting every packet record of the file (as Wireshark numbers frames). */
  frame: number;
  time: CaptureTime;
  /** Frame length on the wire and the captured length. */
  wireLength: number;
  capturedLength: number;
  /** Set when the frame carries IPv4/IPv6 (after reassembly for fragments). */
  ip?: {
    version: 4 | 6;
    src: string;
    dst: string;
    protocol: number;
    /** Set on the frame that completed a fragmented datagram: the frames of all its fragments. */
    reassembledFrom?: number[];
  };
  srcPort?: number;
  dstPort?: number;
  tcp?: TcpHeader;
  udp?: UdpHeader;
  /** Why the frame was not decoded further (unsupported link type, truncated header, non-first fragment...). */
  note?: string;
}
