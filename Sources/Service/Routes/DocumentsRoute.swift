import Engine
import Foundation
import Hummingbird
import Pipeline
import TributaryCore

/// `GET /documents/{id}`: one document (news article or imported file) with its chunks in
/// order — what a downstream indexer fetches for a document id it saw change.
enum DocumentsRoute {
    static func add(to router: Router<ServiceRequestContext>, context: ServiceContext) {
        router.get("documents/:id") { _, request -> Response in
            let id = request.parameters.get("id") ?? ""
            guard id.hasPrefix("doc_"), id.utf8.count == 28, id.utf8.dropFirst(4).allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
            else {
                return JSONResponse.problem(
                    .badRequest, "'\(id.prefix(64))' is not a document id",
                    fix: "ids look like doc_ and 24 hex digits (tributary export --documents lists them)")
            }
            guard let store = context.store else { return JSONResponse.problem(.serviceUnavailable, "no store is configured") }
            let found: (document: Document, chunks: [DocumentChunk])?
            do { found = try await store.document(id: id) } catch {
                return JSONResponse.problem(.serviceUnavailable, "the store cannot be read: \(error)")
            }
            guard let found else { return JSONResponse.problem(.notFound, "no document \(id)") }
            return JSONResponse.make(DocumentExport.json(found.document, chunks: found.chunks))
        }
    }
}
