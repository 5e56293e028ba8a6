import MeshtopModel

extension SyslogDecoder {
    private static let months: [StaticString] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// `Mmm dd hh:mm:ss [HOSTNAME ]TAG[pid]: MSG` (RFC 3164 §4.1; days below 10 space-padded), else nil.
    /// When the token after the timestamp is itself a TAG (`name:`/`name[pid]:`), the hostname was left out.
    static func rfc3164(_ p: LineBytes, _ start: Int, pri: Int, receivedAt: Int64) -> Header? {
        let end = p.count
        guard start + 16 <= end, p[start + 15] == 0x20, let time = timestamp(p, start, receivedAt: receivedAt) else {
            return nil
        }
        var h = Header(pri: pri, format: "rfc3164", messageStart: end)
        h.time = time
        var i = start + 16
        if let t = tag(p, i, maxName: 48) {
            h.app = t.app
            h.procid = t.procid
            h.messageStart = t.messageStart
            return h
        }
        guard let hostEnd = token(p, i) else {
            h.messageStart = min(i, end)
            return h
        }
        h.host = ByteScan.string(p, i, hostEnd)
        i = min(hostEnd + 1, end)
        if let t = tag(p, i, maxName: 48) {
            h.app = t.app
            h.procid = t.procid
            h.messageStart = t.messageStart
        } else {
            h.messageStart = i
        }
        return h
    }

    /// `Mmm dd hh:mm:ss` as µs, read as UTC in the receive year (or the year before when that would put it
    /// more than a day after the receive time).
    static func timestamp(_ p: LineBytes, _ i: Int, receivedAt: Int64) -> Int64? {
        guard let month = months.firstIndex(where: { ByteScan.equals(p, i, i + 3, $0) }), p[i + 3] == 0x20 else {
            return nil
        }
        let dayTens: Int64
        if p[i + 4] == 0x20 {
            dayTens = 0
        } else {
            guard let t = ByteScan.unsigned(p, i + 4, i + 5) else { return nil }
            dayTens = t
        }
        guard let dayOnes = ByteScan.unsigned(p, i + 5, i + 6), p[i + 6] == 0x20,
            let hh = ByteScan.unsigned(p, i + 7, i + 9), p[i + 9] == UInt8(ascii: ":"),
            let mm = ByteScan.unsigned(p, i + 10, i + 12), p[i + 12] == UInt8(ascii: ":"),
            let ss = ByteScan.unsigned(p, i + 13, i + 15)
        else { return nil }
        let day = dayTens * 10 + dayOnes
        guard day >= 1, day <= 31, hh < 24, mm < 60, ss <= 60 else { return nil }
        let receivedSecs = receivedAt >= 0 ? receivedAt / 1_000_000 : 0
        let (year, _, _) = RFC3339.civil(fromDays: receivedSecs / 86_400)
        func micros(_ y: Int64) -> Int64 {
            (RFC3339.days(fromCivil: y, Int64(month + 1), day) * 86_400 + hh * 3600 + mm * 60 + ss) * 1_000_000
        }
        let candidate = micros(year)
        return candidate > receivedAt + 86_400_000_000 ? micros(year - 1) : candidate
    }
}
