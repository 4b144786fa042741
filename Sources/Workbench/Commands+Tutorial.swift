extension ColonCommands {
    /// Adds the tutorial commands, played by `player`: `:tutorials`, `:tutorial NAME`,
    /// `:next`, `:prev`, `:restart`.
    public func registerTutorials(_ player: TutorialPlayer) {
        register(Command("tutorials", summary: "list the tutorials") { _ in player.showList() })
        register(Command("tutorial", arguments: "NAME", summary: "start a step-through tutorial") { [unowned self] name in
            if name.isEmpty {
                if let status = player.status { session.model.append(.info, status) } else { player.showList() }
                return
            }
            player.begin(named: name, fail: fail)
        })
        register(Command("next", summary: "skip to the tutorial's next cell") { [unowned self] _ in
            player.navigate(by: 1, fail: fail)
        })
        register(Command("prev", summary: "go back to the tutorial's previous cell") { [unowned self] _ in
            player.navigate(by: -1, fail: fail)
        })
        register(Command("restart", summary: "go back to the tutorial's first cell") { [unowned self] _ in
            player.navigate(by: nil, fail: fail)
        })
    }
}
