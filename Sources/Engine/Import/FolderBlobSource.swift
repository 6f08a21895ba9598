import Foundation
import Pipeline
import TributaryCore

/// A local folder as a ``BlobSource``: its files (all levels below it) in key order, each
/// file's entity tag its modification time and size, so an unchanged file is recognised from
/// the listing alone, as an unchanged bucket object is.
public struct FolderBlobSource: BlobSource {
    public let root: String
    /// `/` lists the folder's own files only, its subfolders rolled up as common prefixes.
    public let delimiter: String?

    public init(root: String, delimiter: String? = nil) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.delimiter = delimiter
    }

    public var location: String { root }

    /// The file itself, read in place rather than copied.
    public func localPath(of object: BlobObject) -> String? { root + "/" + object.key }

    public func list(startAfter: String?, continuation: String?) async throws -> BlobPage {
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            throw BlobError(.unreadable, location: root, "the folder cannot be listed; check that it exists and is readable")
        }
        var objects: [BlobObject] = []
        var rolledUp = Set<String>()
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        while let key = walker.nextObject() as? String {
            if let delimiter, let cut = key.range(of: delimiter) {
                rolledUp.insert(String(key[..<cut.upperBound]))
                continue
            }
            if let startAfter, !startAfter.precedesByBytes(key) { continue }
            let path = root + "/" + key
            if delimiter == "/", (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeDirectory {
                // One level only: the subfolder is a common prefix, not walked.
                rolledUp.insert(key + "/")
                walker.skipDescendants()
                continue
            }
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), attributes[.type] as? FileAttributeType == .typeRegular,
                let object = Self.object(key: key, path: path, uri: "file://" + absolute + "/" + key, attributes: attributes)
            else { continue }
            objects.append(object)
        }
        objects.sort { $0.key.precedesByBytes($1.key) }
        return BlobPage(objects: objects, continuation: nil, commonPrefixes: rolledUp.sorted { $0.precedesByBytes($1) })
    }

    public func read(_ object: BlobObject, range: Range<Int64>) async throws -> [UInt8] {
        let path = root + "/" + object.key
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let now = Self.object(key: object.key, path: path, uri: object.uri, attributes: attributes)
        else { throw BlobError(.noSuchKey, location: path, "the file is gone (deleted since it was listed?)") }
        guard now.etag == object.etag else { throw BlobError(.changed, location: path, "the file changed while it was read; run the import again") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw BlobError(.unreadable, location: path, "cannot be opened for reading") }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: UInt64(range.lowerBound))
            return Array(try handle.read(upToCount: Int(range.count)) ?? Data())
        } catch {
            throw BlobError(.unreadable, location: path, "\(error.localizedDescription)")
        }
    }

    static func object(key: String, path: String, uri: String, attributes: [FileAttributeKey: Any]) -> BlobObject? {
        guard let size = (attributes[.size] as? NSNumber)?.int64Value, let modified = attributes[.modificationDate] as? Date else { return nil }
        let scaled = (modified.timeIntervalSince1970 * 1e9).rounded()
        // A modification time past 2262 (a hostile or broken file system) is not an Int64 of nanoseconds.
        guard scaled.isFinite, abs(scaled) < 9.2e18 else { return nil }
        let nanoseconds = Int64(scaled)
        return BlobObject(
            key: key, size: size, etag: "\(nanoseconds)-\(size)", lastModified: UTCTimestamp(nanosecondsSinceEpoch: nanoseconds), uri: uri)
    }
}
