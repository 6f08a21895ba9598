extension UTCTimestamp {
    /// RFC 9110's IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), as `Retry-After` and `Date` use it.
    public var httpDate: String {
        let seconds = millisecondsSinceEpoch.floorDivided(by: 1000)
        let days = seconds.floorDivided(by: 86_400)
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let secondOfDay = Int(seconds - days * 86_400)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(day)) \(months[month - 1]) \(year) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }
}
