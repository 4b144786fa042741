import Foundation

extension Interpreter {
    /// Output, strings, types and `exit`.
    static var ioBuiltins: [Builtin] { [
        Builtin(name: "println", signature: "println(x...)") { call in
            call.interpreter.output(call.arguments.map(\.plainText).joined() + "\n")
            return .nothing
        },
        Builtin(name: "print", signature: "print(x...)") { call in
            call.interpreter.output(call.arguments.map(\.plainText).joined())
            return .nothing
        },
        Builtin(name: "display", signature: "display(x)") { call in
            try call.expect(1)
            call.interpreter.output(call.arguments[0].display + "\n")
            return .nothing
        },
        Builtin(name: "show", signature: "show(x)") { call in
            try call.expect(1)
            call.interpreter.output(call.arguments[0].repr)
            return .nothing
        },
        Builtin(name: "string", signature: "string(x...)") { call in
            .string(call.arguments.map(\.plainText).joined())
        },
        Builtin(name: "repr", signature: "repr(x)") { call in
            try call.expect(1)
            return .string(call.arguments[0].repr)
        },
        Builtin(name: "typeof", signature: "typeof(x)") { call in
            try call.expect(1)
            return .type(call.arguments[0].typeName)
        },
        Builtin(name: "error", signature: "error(message...)") { call in
            throw call.error(call.arguments.map(\.plainText).joined())
        },
        Builtin(name: "exit", signature: "exit(code=0)") { call in
            try call.expect(0...1)
            call.interpreter.exitRequest = Int32(truncatingIfNeeded: call.arguments.isEmpty ? 0 : try call.integer(0))
            throw ControlFlow.exit
        },
        Builtin(name: "uppercase", signature: "uppercase(s)") { call in
            try call.expect(1)
            guard case .string(let text) = call.arguments[0] else {
                throw call.error("MethodError: no method matching uppercase(::\(call.arguments[0].typeName))", hint: "call it as uppercase(s)")
            }
            return .string(text.uppercased())
        },
        Builtin(name: "lowercase", signature: "lowercase(s)") { call in
            try call.expect(1)
            guard case .string(let text) = call.arguments[0] else {
                throw call.error("MethodError: no method matching lowercase(::\(call.arguments[0].typeName))", hint: "call it as lowercase(s)")
            }
            return .string(text.lowercased())
        },
        Builtin(name: "join", signature: "join(items, separator=\"\")") { call in
            try call.expect(1...2)
            let separator = call.arguments.count == 2 ? call.arguments[1].plainText : ""
            return .string(try call.elements(0).map(\.plainText).joined(separator: separator))
        },
    ] }
}
