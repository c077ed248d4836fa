(self.__BIB_PARTS__=self.__BIB_PARTS__||{})['facet-language']=JSON.parse('{"rows":[[2],[2],[2],[0],[0],[1]],"values":["en","vi","zh"]}');
