"""The self-evaluation against the 22 questions of Appendix 2: questions, evidence, pages."""
