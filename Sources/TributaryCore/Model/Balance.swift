/// An account's holding of one asset.
public struct Balance: Sendable, Hashable {
    public var asset: String
    public var free: ExactDecimal
    public var locked: ExactDecimal

    public init(asset: String, free: ExactDecimal, locked: ExactDecimal) {
        self.asset = asset
        self.free = free
        self.locked = locked
    }
}
