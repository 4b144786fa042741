import Foundation

/// Why a session file was refused: which file and what is wrong with it.
public struct SessionFileError: Error, CustomStringConvertible, Sendable {
    /// The file.
    public let path: String
    /// What is wrong, in a sentence.
    public let problem: String

    public var description: String { "cannot open session \(path): \(problem)" }
}

/// The session file format: a versioned JSON document whose first line is its header.
///
/// ```
/// {"format": "fluxion-session", "version": 1, "checksum": "crc32:1a2b3c4d",
///  "metadata": {...}, "cells": [...], "environment": [...], ...}
/// ```
/// The checksum covers every byte after the first line, so a flipped bit inside a string
/// (which still parses) is caught. Files are written atomically: a temporary file in the
/// same directory, fsync, rename over the old file, fsync of the directory; a crash leaves
/// the old file or the new one, never a mix.
public enum SessionFile {
    /// The `format` member.
    public static let format = "fluxion-session"
    /// The version this build writes and the newest it reads.
    public static let version = 1
    /// Set in the environment to a number of seconds: a save pauses that long with half the
    /// temporary file written (tests kill the writer there).
    public static let pauseVariable = "FLUXION_SESSION_SAVE_PAUSE"
    /// Iterations between `train`'s autosaves when `autosave_every` is not given.
    public static let autosaveEvery = 50

    /// Where `NAME` is saved: `sessions/NAME.json` in the current directory when the name has
    /// no slash and no extension, otherwise the path as given.
    public static func path(for name: String) -> String {
        if name.contains("/") || name.contains(".") || name.isEmpty { return name }
        return "sessions/\(name).json"
    }

    /// The file's bytes: the header line, then `body`'s members.
    static func document(body: [(String, JSON)]) -> [UInt8] {
        var rest = Array(JSON.object(body).serialized().utf8)
        // The object's text starts "{\n"; the header line takes the place of its brace.
        rest.removeFirst(2)
        rest.append(0x0A)
        let header = "{\"format\": \"\(format)\", \"version\": \(version), \"checksum\": \"crc32:"
            + String(format: "%08x", CRC32.checksum(rest)) + "\",\n"
        return Array(header.utf8) + rest
    }

    /// The members after the header of a file's bytes, once the format, version and
    /// checksum are right.
    static func body(of bytes: [UInt8], path: String) throws -> JSON {
        func refuse(_ problem: String) -> SessionFileError { SessionFileError(path: path, problem: problem) }
        if bytes.isEmpty { throw refuse("the file is empty") }
        let json: JSON
        do {
            json = try JSON.parse(bytes)
        } catch let error as JSONError {
            throw refuse("not a readable session document (damaged or truncated): \(error)")
        }
        guard json["format"] == .string(format) else {
            throw refuse("not a Fluxion session (its \"format\" is not \"\(format)\")")
        }
        guard let version = json["version"]?.intValue else { throw refuse("the header has no format version") }
        guard version <= SessionFile.version else {
            throw refuse("written by a newer Fluxion (format version \(version); this one reads up to \(SessionFile.version))")
        }
        guard version >= 1 else { throw refuse("unknown format version \(version)") }
        guard let stated = json["checksum"]?.stringValue, stated.hasPrefix("crc32:"),
              let newline = bytes.firstIndex(of: 0x0A) else { throw refuse("the header has no checksum") }
        let actual = String(format: "%08x", CRC32.checksum(bytes[(newline + 1)...]))
        guard stated == "crc32:" + actual else {
            throw refuse("damaged: the checksum does not match (header \(stated), content crc32:\(actual))")
        }
        return json
    }

    /// Reads a session file and checks its header and checksum.
    static func read(_ path: String) throws -> JSON {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SessionFileError(path: path, problem: exists ? "the file cannot be read" : "no such file")
        }
        return try body(of: [UInt8](data), path: path)
    }

    /// Writes `bytes` to `path` atomically, creating its directory if needed.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        func failure(_ what: String) -> SessionFileError {
            SessionFileError(path: path, problem: "\(what): \(String(cString: strerror(errno)))")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SessionFileError(path: path, problem: "cannot create the directory \(directory)")
        }
        // Hidden and not ending in .json: never taken for a session.
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create \(temporary)") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        let pause = ProcessInfo.processInfo.environment[pauseVariable].flatMap(Double.init) ?? 0
        let half = pause > 0 ? bytes.count / 2 : bytes.count
        guard writeAll(fd, bytes[0..<half]) else { unlink(temporary); throw failure("cannot write \(temporary)") }
        if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        guard writeAll(fd, bytes[half...]) else { unlink(temporary); throw failure("cannot write \(temporary)") }
        guard fsync(fd) == 0 else { unlink(temporary); throw failure("cannot sync \(temporary)") }
        closed = true
        guard close(fd) == 0 else { unlink(temporary); throw failure("cannot close \(temporary)") }
        guard rename(temporary, path) == 0 else { unlink(temporary); throw failure("cannot rename \(temporary) over it") }
        // The rename itself is durable only once the directory is synced.
        let directoryFD = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}

/// CRC-32 (IEEE 802.3, the zlib and PNG polynomial): catches every single-bit flip and
/// every burst up to 32 bits.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
