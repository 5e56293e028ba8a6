import Testing

@Test func placeholderCollector() {}
