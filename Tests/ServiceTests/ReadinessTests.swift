import Service
import Testing

@Suite struct ReadinessTests {
    @Test func readyOnlyWhileServingWithAWritableStore() {
        let readiness = Readiness()
        #expect(readiness.notReadyReason == "starting")
        readiness.enter(.serving)
        #expect(readiness.notReadyReason == nil)
        readiness.storeProblem("database or disk is full")
        #expect(readiness.notReadyReason == "store unavailable: database or disk is full")
        readiness.storeProblem(nil)
        #expect(readiness.notReadyReason == nil)
        readiness.enter(.draining)
        #expect(readiness.notReadyReason?.hasPrefix("draining") == true)
    }
}
