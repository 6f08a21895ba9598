import TributaryCore

/// A news record as a document: its headline and summary as the text (what an index embeds),
/// its URL as the address, publisher, time and symbols as metadata. The id comes from the
/// source and the URL, so a revised article (a corrected summary) is the same document in a
/// new version and only its changed chunks are rewritten.
public enum NewsDocuments {
    public static func document(of record: Record, chunker: DocumentChunker, at time: UTCTimestamp) -> (Document, [DocumentChunk])? {
        guard case .news(let news) = record.payload else { return nil }
        let text = [news.headline, news.summary].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n\n")
        let uri = news.url.isEmpty ? "news:\(record.source.rawValue)/\(news.id)" : news.url
        let id = Document.id(source: record.source.rawValue, uri: uri)
        var metadata = ["title": news.headline, "published_at": news.publishedAt.rfc3339, "media_type": "text/plain", "news_id": news.id]
        if let publisher = news.publisher { metadata["publisher"] = publisher }
        if !news.symbols.isEmpty { metadata["symbols"] = news.symbols.joined(separator: ",") }
        let document = Document(
            id: id, source: record.source.rawValue, uri: uri, contentHash: ContentHash.of(bytes: Array(text.utf8)), lastModified: news.publishedAt,
            metadata: metadata, updatedAt: time)
        return (document, chunker.chunks(of: text, documentID: id))
    }
}
