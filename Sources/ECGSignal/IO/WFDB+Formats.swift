import Foundation

extension WFDB {
  /// Decodes `count` interleaved samples of `format` starting at byte `offset` (digital values;
  /// format 8 yields its raw differences). The caller has checked that the bytes are there; a
  /// byte past the end of `data` reads as 0 rather than outside the buffer.
  static func decode(_ data: Data, offset: Int, count: Int, format: WFDBFormat) -> [Int32] {
    guard count > 0, format != .format0 else { return [Int32](repeating: 0, count: max(count, 0)) }
    return [Int32](unsafeUninitializedCapacity: count) { out, initialized in
      data.withUnsafeBytes { raw in
        let all = raw.bindMemory(to: UInt8.self)
        let available = max(0, all.count - offset)
        let b = all.baseAddress! + min(offset, all.count)
        @inline(__always) func byte(_ i: Int) -> Int32 { i < available ? Int32(b[i]) : 0 }
        switch format {
        case .format0, .format508, .format516, .format524:
          break
        case .format8:
          for i in 0..<count { out[i] = Int32(Int8(bitPattern: UInt8(byte(i)))) }
        case .format80:
          for i in 0..<count { out[i] = byte(i) - 128 }
        case .format16:
          for i in 0..<count {
            out[i] = Int32(Int16(bitPattern: UInt16(byte(2 * i) | byte(2 * i + 1) << 8)))
          }
        case .format61:
          for i in 0..<count {
            out[i] = Int32(Int16(bitPattern: UInt16(byte(2 * i) << 8 | byte(2 * i + 1))))
          }
        case .format160:
          for i in 0..<count { out[i] = (byte(2 * i) | byte(2 * i + 1) << 8) - 32768 }
        case .format24:
          for i in 0..<count {
            let u = byte(3 * i) | byte(3 * i + 1) << 8 | byte(3 * i + 2) << 16
            out[i] = (u << 8) >> 8
          }
        case .format32:
          for i in 0..<count {
            let u =
              UInt32(byte(4 * i)) | UInt32(byte(4 * i + 1)) << 8 | UInt32(byte(4 * i + 2)) << 16
              | UInt32(byte(4 * i + 3)) << 24
            out[i] = Int32(bitPattern: u)
          }
        case .format212:
          for i in 0..<count {
            let p = 3 * (i / 2)
            let u: Int32 =
              i % 2 == 0
              ? byte(p) | (byte(p + 1) & 0x0F) << 8 : byte(p + 2) | (byte(p + 1) & 0xF0) << 4
            out[i] = (u << 20) >> 20
          }
        case .format310:
          // Bytes b0 b1 b2 b3: s0 = b0 bits 1–7 + b1 bits 0–2; s1 = b2 bits 1–7 + b3 bits 0–2;
          // s2 = b1 bits 3–7 + b3 bits 3–7.
          for i in 0..<count {
            let p = 4 * (i / 3)
            let u: Int32
            switch i % 3 {
            case 0: u = byte(p) >> 1 | (byte(p + 1) & 0x07) << 7
            case 1: u = byte(p + 2) >> 1 | (byte(p + 3) & 0x07) << 7
            default: u = (byte(p + 1) >> 3) & 0x1F | ((byte(p + 3) >> 3) & 0x1F) << 5
            }
            out[i] = (u << 22) >> 22
          }
        case .format311:
          // A little-endian 32-bit word holds s0 in bits 0–9, s1 in 10–19, s2 in 20–29.
          for i in 0..<count {
            let p = 4 * (i / 3)
            let u: Int32
            switch i % 3 {
            case 0: u = byte(p) | (byte(p + 1) & 0x03) << 8
            case 1: u = byte(p + 1) >> 2 | (byte(p + 2) & 0x0F) << 6
            default: u = byte(p + 2) >> 4 | (byte(p + 3) & 0x3F) << 4
            }
            out[i] = (u << 22) >> 22
          }
        }
      }
      initialized = count
    }
  }

  /// Encodes interleaved digital samples (the formats `write` produces: 16, 212, 80, 24, 32).
  static func encode(_ digital: [Int32], format: WFDBFormat) -> Data {
    let count = digital.count
    var bytes = [UInt8](repeating: 0, count: format.byteCount(samples: count))
    switch format {
    case .format80:
      for i in 0..<count { bytes[i] = UInt8(truncatingIfNeeded: digital[i] + 128) }
    case .format16:
      for i in 0..<count {
        let u = UInt16(bitPattern: Int16(truncatingIfNeeded: digital[i]))
        bytes[2 * i] = UInt8(u & 0xFF)
        bytes[2 * i + 1] = UInt8(u >> 8)
      }
    case .format24:
      for i in 0..<count {
        let u = UInt32(bitPattern: digital[i])
        for k in 0..<3 { bytes[3 * i + k] = UInt8((u >> (8 * UInt32(k))) & 0xFF) }
      }
    case .format32:
      for i in 0..<count {
        let u = UInt32(bitPattern: digital[i])
        for k in 0..<4 { bytes[4 * i + k] = UInt8((u >> (8 * UInt32(k))) & 0xFF) }
      }
    case .format212:
      for i in stride(from: 0, to: count, by: 2) {
        let a = UInt32(bitPattern: digital[i]) & 0xFFF
        let j = 3 * (i / 2)
        bytes[j] = UInt8(a & 0xFF)
        if i + 1 < count {
          let c = UInt32(bitPattern: digital[i + 1]) & 0xFFF
          bytes[j + 1] = UInt8((a >> 8) | ((c >> 8) << 4))
          bytes[j + 2] = UInt8(c & 0xFF)
        } else {
          bytes[j + 1] = UInt8(a >> 8)
        }
      }
    default:
      preconditionFailure("WFDB.encode: format \(format.rawValue) is not written")
    }
    return Data(bytes)
  }
}
