import Foundation
import Lang
import XCTest

/// `writecsv`/`writedlm` replace a file atomically, and what they write is what Julia's
/// `writedlm` writes.
final class DelimitedFileTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "fluxion-csv-tests-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func contents(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    func testAFailedWriteLeavesTheOldFileWhole() throws {
        let path = directory + "/data.csv"
        try "old,1\n".write(toFile: path, atomically: false, encoding: .utf8)
        // The temporary file the atomic writer creates next to the target cannot be created
        // (a directory is in its place), so the write fails after the data was formatted.
        let temporary = directory + "/.data.csv.tmp-\(getpid())"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        let interpreter = Interpreter(output: { _ in })
        let evaluation = interpreter.evaluate(source: "writecsv(\"\(path)\", [1.0 2.0; 3.0 4.0])")
        XCTAssertTrue(evaluation.failed)
        XCTAssertTrue(evaluation.renderedDiagnostics().contains("writecsv: cannot write \(path): cannot create"),
                      evaluation.renderedDiagnostics())
        XCTAssertEqual(try contents(path), "old,1\n", "the old file is untouched")
        // Once the way is clear the same call replaces it, leaving no temporary file behind.
        try FileManager.default.removeItem(atPath: temporary)
        XCTAssertFalse(interpreter.evaluate(source: "writecsv(\"\(path)\", [1.0 2.0; 3.0 4.0])").failed)
        XCTAssertEqual(try contents(path), "1.0,2.0\n3.0,4.0\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["data.csv"])
    }

    func testWrittenTextIsJuliasWritedlm() throws {
        let path = directory + "/out.txt"
        let interpreter = Interpreter(output: { _ in })
        let cases: [(String, String)] = [
            ("writedlm(P, [1 2; 3 4])", "1\t2\n3\t4\n"),
            ("writedlm(P, [0.1, 1e-5, 1e20, -0.0], ',')", "0.1\n1.0e-5\n1.0e20\n-0.0\n"),
            ("writedlm(P, [(1, \"a,b\"), (2, \"say \\\"hi\\\"\")], ',')", "1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n"),
            ("writecsv(P, [1.5 2.0], header = [\"t\", \"u\"])", "t,u\n1.5,2.0\n"),
            ("writedlm(P, [true, false])", "true\nfalse\n"),
        ]
        for (source, expected) in cases {
            let evaluation = interpreter.evaluate(source: source.replacingOccurrences(of: "P", with: "\"\(path)\""))
            XCTAssertFalse(evaluation.failed, source + "\n" + evaluation.renderedDiagnostics())
            XCTAssertEqual(try contents(path), expected, source)
        }
        // Quoted fields read back, line breaks inside quotes included; the line numbers in
        // errors count those breaks.
        try "a,\"b\nc\"\n1,2\n3,x\n".write(toFile: path, atomically: false, encoding: .utf8)
        let evaluation = interpreter.evaluate(source: "readcsv(\"\(path)\", header = true)")
        XCTAssertTrue(evaluation.renderedDiagnostics().contains("line 4, column 2: \"x\" is not a number"),
                      evaluation.renderedDiagnostics())
    }
}
