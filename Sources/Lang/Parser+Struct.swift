import Foundation

extension Parser {
    /// Whether the tokens at the cursor are `@kwdef struct`, `Base.@kwdef mutable struct` and
    /// the like; how many tokens the macro takes.
    func keywordDefinitionPrefix() -> Int? {
        var ahead = 0
        if case .identifier("Base") = current.kind, peek().isOp("."), case .macro("kwdef") = peek(2).kind { ahead = 2 }
        guard case .macro("kwdef") = peek(ahead).kind else { return nil }
        let next = peek(ahead + 1)
        if next.isKeyword(.struct) { return ahead + 1 }
        if case .identifier("mutable") = next.kind, peek(ahead + 2).isKeyword(.struct) { return ahead + 1 }
        return nil
    }

    /// `[Base.@kwdef] [mutable] struct Name[{T}] [<: Super] fields... end`.
    func parseStruct() throws -> Expr {
        let opener = current
        var isKeywordDefined = false
        if let prefix = keywordDefinitionPrefix() {
            for _ in 0..<prefix { advance() }
            isKeywordDefined = true
        }
        var isMutable = false
        if case .identifier("mutable") = current.kind {
            isMutable = true
            advance()
        }
        let keyword = advance()
        guard case .identifier(let name) = current.kind, !current.newlineBefore else {
            throw unexpected("expected a type name after 'struct'", hint: "write struct Point x::Float64; y::Float64 end")
        }
        advance()
        // `{T}` and `<: Super` are accepted and dropped: fields are checked loosely.
        if current.kind == .leftBrace, !current.spaceBefore {
            var depth = 0
            repeat {
                if current.kind == .leftBrace { depth += 1 }
                if current.kind == .rightBrace { depth -= 1 }
                advance()
            } while depth > 0 && current.kind != .endOfInput
        }
        if current.isOp("<:"), !current.newlineBefore {
            advance()
            _ = try parsePostfix(try parsePrimary())
        }
        var fields: [StructDefinition.Field] = []
        do {
            while !current.isKeyword(.end), current.kind != .endOfInput {
                if current.kind == .semicolon { advance(); continue }
                fields.append(try parseStructField(isKeywordDefined: isKeywordDefined, structName: name))
                if current.kind == .semicolon || current.newlineBefore || current.isKeyword(.end) { continue }
                throw unexpected("expected a newline or ';' after the field")
            }
        } catch {
            // The error is reported; the rest of the struct is skipped so the file is still checked.
            let end = skipToEnd(depth: 1)
            return Expr(.error, end.map { opener.span.through($0) } ?? opener.span)
        }
        let end = expectEnd(opener: keyword, construct: "struct")
        if let repeated = Dictionary(grouping: fields, by: \.name).first(where: { $0.value.count > 1 }) {
            throw fail("duplicate field name \(repeated.key) in struct \(name)", at: repeated.value[1].span)
        }
        let definition = StructDefinition(name: name, isMutable: isMutable, isKeywordDefined: isKeywordDefined, fields: fields)
        return Expr(.structDefinition(definition), opener.span.through(end))
    }

    /// `x`, `x::T`, and with `Base.@kwdef` `x::T = default`.
    private func parseStructField(isKeywordDefined: Bool, structName: String) throws -> StructDefinition.Field {
        let token = current
        guard case .identifier(let name) = token.kind else {
            if token.isKeyword(.function) || token.kind == .macro("kwdef") {
                throw fail("inner constructors and methods inside a struct are not supported", at: token.span,
                           hint: "define an outer function after the struct, e.g. \(structName)(x) = \(structName)(x, 0.0)")
            }
            throw unexpected("expected a field name")
        }
        advance()
        if current.kind == .leftParen, !current.spaceBefore {
            throw fail("inner constructors and methods inside a struct are not supported", at: token.span,
                       hint: "define an outer function after the struct, e.g. \(structName)(x) = \(structName)(x, 0.0)")
        }
        var type: Expr?
        if current.isOp("::"), !current.newlineBefore {
            advance()
            type = try parsePostfix(try parsePrimary())
        }
        var defaultValue: Expr?
        var end = type?.span ?? token.span
        if current.isOp("="), !current.newlineBefore {
            let equals = advance()
            guard isKeywordDefined else {
                throw fail("a field default needs Base.@kwdef", at: equals.span,
                           hint: "write Base.@kwdef struct \(structName) ... end, then \(structName)(; \(name) = ...)")
            }
            let value = try parseExpression(Prec.assignment + 1)
            defaultValue = value
            end = value.span
        }
        return StructDefinition.Field(name: name, type: type, defaultValue: defaultValue, span: token.span.through(end))
    }
}
