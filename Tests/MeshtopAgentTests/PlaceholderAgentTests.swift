import Testing

@Test func placeholderAgent() {}
