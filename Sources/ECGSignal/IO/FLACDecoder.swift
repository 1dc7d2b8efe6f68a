import Foundation

/// A decoder of FLAC streams as WFDB's formats 508, 516 and 524 store signals (one FLAC channel
/// per signal, 8, 16 or 24 bits a sample): STREAMINFO, then frames of CONSTANT, VERBATIM, FIXED
/// and LPC subframes with Rice-coded residuals and the three stereo decorrelations. Metadata
/// other than STREAMINFO is skipped; frame checksums (CRC-8/16) are not verified — a damaged
/// stream is refused where its structure breaks, and the MD5 of STREAMINFO is not computed.
struct FLACDecoder {
  /// Thrown with what is wrong; the WFDB reader turns it into `WFDBError.unsupportedRecord`.
  struct Failure: Error { var reason: String }

  /// The samples of every channel, as integers of `bitsPerSample` bits.
  struct Stream {
    var channels: Int
    var bitsPerSample: Int
    var samples: [[Int32]]
  }

  /// Decodes `data` until every channel holds `limit` samples (or the stream ends).
  /// - Throws: `Failure` for a stream that is not FLAC, is truncated or inconsistent, or holds
  ///   more than `maximumSamples` samples over all channels (a few bytes of CONSTANT subframes
  ///   can stand for millions of samples).
  static func decode(_ data: Data, limit: Int, maximumSamples: Int) throws -> Stream {
    var reader = BitReader(bytes: [UInt8](data))
    guard try reader.bits(32) == 0x664C_6143 else {
      throw Failure(reason: "not a FLAC stream (no 'fLaC' marker)")
    }
    var channels = 0
    var bitsPerSample = 0
    var last = false
    var sawInfo = false
    while !last {
      last = try reader.bits(1) == 1
      let type = try reader.bits(7)
      let length = try reader.bits(24)
      if type == 0 {
        guard length == 34 else { throw Failure(reason: "STREAMINFO of \(length) bytes") }
        _ = try reader.bits(16 + 16 + 24 + 24 + 20)
        channels = try reader.bits(3) + 1
        bitsPerSample = try reader.bits(5) + 1
        _ = try reader.bits(36)
        try reader.skip(bytes: 16)
        sawInfo = true
      } else {
        try reader.skip(bytes: length)
      }
    }
    guard sawInfo else { throw Failure(reason: "no STREAMINFO block") }
    var samples = [[Int32]](repeating: [], count: channels)
    while samples[0].count < limit, reader.remainingBits >= 16 {
      try decodeFrame(&reader, channels: channels, streamBits: bitsPerSample, into: &samples)
      guard samples[0].count <= maximumSamples / channels else {
        throw Failure(reason: "more than \(maximumSamples) samples")
      }
    }
    return Stream(channels: channels, bitsPerSample: bitsPerSample, samples: samples)
  }

  static func decodeFrame(
    _ reader: inout BitReader, channels: Int, streamBits: Int, into samples: inout [[Int32]]
  ) throws {
    guard try reader.bits(14) == 0x3FFE else { throw Failure(reason: "frame sync code missing") }
    _ = try reader.bits(2)  // reserved, blocking strategy
    let sizeCode = try reader.bits(4)
    let rateCode = try reader.bits(4)
    let assignment = try reader.bits(4)
    let sizeBits = try reader.bits(3)
    _ = try reader.bits(1)
    // The frame or sample number, UTF-8 coded.
    let first = try reader.bits(8)
    var extra = 0
    while extra < 7, first & (0x80 >> extra) != 0 { extra += 1 }
    guard extra != 1, extra <= 7 else { throw Failure(reason: "bad frame number coding") }
    if extra > 1 { _ = try reader.bits(8 * (extra - 1)) }
    let blockSize: Int
    switch sizeCode {
    case 1: blockSize = 192
    case 2...5: blockSize = 576 << (sizeCode - 2)
    case 6: blockSize = try reader.bits(8) + 1
    case 7: blockSize = try reader.bits(16) + 1
    case 8...15: blockSize = 256 << (sizeCode - 8)
    default: throw Failure(reason: "reserved block size code")
    }
    switch rateCode {
    case 12: _ = try reader.bits(8)
    case 13, 14: _ = try reader.bits(16)
    case 15: throw Failure(reason: "invalid sample rate code")
    default: break
    }
    _ = try reader.bits(8)  // CRC-8
    let bits: Int
    switch sizeBits {
    case 0: bits = streamBits
    case 1: bits = 8
    case 2: bits = 12
    case 4: bits = 16
    case 5: bits = 20
    case 6: bits = 24
    case 7: bits = 32
    default: throw Failure(reason: "reserved sample size code")
    }
    let frameChannels = assignment <= 7 ? assignment + 1 : 2
    guard assignment <= 10, frameChannels == channels else {
      throw Failure(
        reason: "a frame of channel assignment \(assignment) in a stream of \(channels) channels")
    }
    var block = [[Int64]]()
    for c in 0..<channels {
      // The side channel carries one more bit.
      let side = (assignment == 8 || assignment == 10) && c == 1 || assignment == 9 && c == 0
      block.append(try decodeSubframe(&reader, count: blockSize, bits: bits + (side ? 1 : 0)))
    }
    reader.alignToByte()
    _ = try reader.bits(16)  // CRC-16
    if assignment >= 8 {
      for i in 0..<blockSize {
        let (a, b) = (block[0][i], block[1][i])
        switch assignment {
        case 8: block[1][i] = a - b
        case 9: block[0][i] = a + b
        default:
          let mid = a << 1 | (b & 1)
          block[0][i] = (mid + b) >> 1
          block[1][i] = (mid - b) >> 1
        }
      }
    }
    for c in 0..<channels {
      samples[c].append(contentsOf: block[c].map { Int32(truncatingIfNeeded: $0) })
    }
  }

  static func decodeSubframe(_ reader: inout BitReader, count: Int, bits: Int) throws -> [Int64] {
    guard try reader.bits(1) == 0 else { throw Failure(reason: "subframe padding bit set") }
    let type = try reader.bits(6)
    var wasted = 0
    if try reader.bits(1) == 1 { wasted = try reader.unary() + 1 }
    let width = bits - wasted
    guard width >= 1, width <= 33 else { throw Failure(reason: "subframe of \(width) bits") }
    var out: [Int64]
    switch type {
    case 0:
      out = [Int64](repeating: try reader.signed(width), count: count)
    case 1:
      out = try (0..<count).map { _ in try reader.signed(width) }
    case 8...12:
      let order = type - 8
      guard order <= count else {
        throw Failure(reason: "predictor order \(order) above the block size")
      }
      out = try (0..<order).map { _ in try reader.signed(width) }
      out += try residual(&reader, count: count, order: order)
      let coefficients: [Int64] = [[], [1], [2, -1], [3, -3, 1], [4, -6, 4, -1]][order]
      predict(&out, coefficients: coefficients, shift: 0, order: order)
    case 32...63:
      let order = (type & 31) + 1
      guard order <= count else {
        throw Failure(reason: "predictor order \(order) above the block size")
      }
      out = try (0..<order).map { _ in try reader.signed(width) }
      let precision = try reader.bits(4) + 1
      guard precision < 16 else { throw Failure(reason: "invalid LPC precision") }
      let shift = try reader.signed(5)
      guard shift >= 0 else { throw Failure(reason: "negative LPC shift") }
      let coefficients = try (0..<order).map { _ in try reader.signed(precision) }
      out += try residual(&reader, count: count, order: order)
      predict(&out, coefficients: coefficients, shift: Int(shift), order: order)
    default:
      throw Failure(reason: "reserved subframe type \(type)")
    }
    if wasted > 0 { out = out.map { $0 << wasted } }
    return out
  }

  /// Adds the prediction from the `order` previous samples to the residuals in `x[order...]`.
  static func predict(_ x: inout [Int64], coefficients: [Int64], shift: Int, order: Int) {
    guard order > 0 else { return }
    for i in order..<x.count {
      var sum: Int64 = 0
      for k in 0..<order { sum &+= coefficients[k] &* x[i - 1 - k] }
      x[i] &+= sum >> Int64(shift)
    }
  }

  static func residual(_ reader: inout BitReader, count: Int, order: Int) throws -> [Int64] {
    let method = try reader.bits(2)
    guard method <= 1 else { throw Failure(reason: "reserved residual coding method") }
    let parameterBits = method == 0 ? 4 : 5
    let escape = method == 0 ? 15 : 31
    let partitionOrder = try reader.bits(4)
    let partitions = 1 << partitionOrder
    guard count % partitions == 0, count >> partitionOrder >= order else {
      throw Failure(reason: "residual partitions do not fit the block")
    }
    var out: [Int64] = []
    out.reserveCapacity(count - order)
    for p in 0..<partitions {
      let n = (count >> partitionOrder) - (p == 0 ? order : 0)
      let parameter = try reader.bits(parameterBits)
      if parameter == escape {
        let raw = try reader.bits(5)
        for _ in 0..<n { out.append(raw == 0 ? 0 : try reader.signed(raw)) }
      } else {
        for _ in 0..<n {
          let q = try reader.unary()
          let u = Int64(q) << Int64(parameter) | Int64(try reader.bits(parameter))
          out.append((u >> 1) ^ -(u & 1))
        }
      }
    }
    return out
  }

  /// Reads big-endian bit fields from a byte array.
  struct BitReader {
    let bytes: [UInt8]
    var position = 0  // in bits

    var remainingBits: Int { bytes.count * 8 - position }

    /// The next `n` (≤ 56) bits as an unsigned number.
    mutating func bits(_ n: Int) throws -> Int {
      guard n > 0 else { return 0 }
      guard n <= remainingBits else { throw Failure(reason: "the stream is cut short") }
      var value = 0
      var left = n
      while left > 0 {
        let byte = Int(bytes[position >> 3])
        let offset = position & 7
        let take = min(left, 8 - offset)
        let chunk = (byte >> (8 - offset - take)) & ((1 << take) - 1)
        value = value << take | chunk
        left -= take
        position += take
      }
      return value
    }

    /// The next `n` bits as a two's-complement number.
    mutating func signed(_ n: Int) throws -> Int64 {
      let u = Int64(try bits(n))
      return n == 0 ? 0 : (u << Int64(64 - n)) >> Int64(64 - n)
    }

    /// The number of 0 bits before the next 1 bit.
    mutating func unary() throws -> Int {
      var zeros = 0
      while true {
        guard position < bytes.count * 8 else { throw Failure(reason: "the stream is cut short") }
        let bit = (bytes[position >> 3] >> (7 - UInt8(position & 7))) & 1
        position += 1
        if bit == 1 { return zeros }
        zeros += 1
      }
    }

    mutating func skip(bytes n: Int) throws {
      guard n * 8 <= remainingBits else {
        throw Failure(reason: "a metadata block runs past the end")
      }
      position += n * 8
    }

    mutating func alignToByte() { position = (position + 7) & ~7 }
  }
}
