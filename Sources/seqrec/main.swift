import SeqRecCLI

SeqRecCommand.main()
